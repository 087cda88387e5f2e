import { describe, expect, it } from "vitest";
import { canRedo, canUndo, HISTORY_LIMIT, push, redo, startHistory, undo } from "./history";

const d = (n: number) => ({ contentVersion: String(n) });

describe("history", () => {
  it("test_it_undoes_and_redoes_in_order", () => {
    let h = push(push(startHistory(d(0)), d(1)), d(2));
    h = undo(h);
    expect(h.present).toEqual(d(1));
    h = undo(h);
    expect(h.present).toEqual(d(0));
    expect(canUndo(h)).toBe(false);
    h = redo(redo(h));
    expect(h.present).toEqual(d(2));
    expect(canRedo(h)).toBe(false);
  });
  it("test_it_drops_the_redo_branch_on_a_new_edit", () => {
    const h = push(undo(push(startHistory(d(0)), d(1))), d(5));
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toEqual(d(0));
  });
  it("test_it_ignores_undo_and_redo_at_the_ends", () => {
    const h = startHistory(d(0));
    expect(undo(h)).toBe(h);
    expect(redo(h)).toBe(h);
  });
  it("test_it_keeps_a_bounded_past", () => {
    let h = startHistory(d(0));
    for (let i = 1; i <= HISTORY_LIMIT + 10; i++) h = push(h, d(i));
    expect(h.past.length).toBe(HISTORY_LIMIT);
  });
});
