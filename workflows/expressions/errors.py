"""The one error type of the expression language."""

from __future__ import annotations


class ExpressionError(ValueError):
    """A bad expression: syntax, unknown function, wrong arity or argument type.

    `position` is the 0-based character offset in the original string value where
    the problem starts (None while a function raises it; the evaluator fills it in
    with the position of the call). `signature` names the function's signature when
    the problem is in a call.
    """

    def __init__(
        self,
        message: str,
        position: int | None = None,
        expression: str | None = None,
        signature: str | None = None,
    ) -> None:
        self.message = message
        self.position = position
        self.expression = expression
        self.signature = signature
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = self.message
        if self.signature:
            text += f" (signature: {self.signature})"
        if self.position is not None:
            text += f" at position {self.position}"
        return text
