/**
 * The WDL function catalogue (name, signature, summary) for autocomplete and hover,
 * taken from the Logic Apps designer's list (see shared reference §2.2).
 */
export interface FunctionInfo {
  signature: string;
  summary: string;
  category: string;
}

export const FUNCTIONS: Record<string, FunctionInfo> = {
  "concat": {
    "signature": "concat(text_1: string, ...)",
    "summary": "Combines any number of strings together",
    "category": "String"
  },
  "substring": {
    "signature": "substring(text: string, startIndex: integer, length?: integer)",
    "summary": "Returns a subset of characters from a string.",
    "category": "String"
  },
  "slice": {
    "signature": "slice(text: string, startIndex: integer, endIndex?: integer)",
    "summary": "Returns a section of a string defined by the start index and the end index",
    "category": "String"
  },
  "replace": {
    "signature": "replace(text: string, oldText: string, newText: string)",
    "summary": "Replaces a string with a given string",
    "category": "String"
  },
  "guid": {
    "signature": "guid(format: string)",
    "summary": "Generates a globally unique string (GUID)",
    "category": "String"
  },
  "toLower": {
    "signature": "toLower(text: string)",
    "summary": "Converts a string to lowercase using the casing rules of the invariant culture",
    "category": "String"
  },
  "toUpper": {
    "signature": "toUpper(text: string)",
    "summary": "Converts a string to uppercase using the casing rules of the invariant culture",
    "category": "String"
  },
  "indexOf": {
    "signature": "indexOf(text: string, searchText: string)",
    "summary": "Returns the first index of a value within a string (case-insensitive, invariant culture)",
    "category": "String"
  },
  "nthIndexOf": {
    "signature": "nthIndexOf(text: string, searchText: string, occurrence: number)",
    "summary": "Returns the index for a value's n-th occurrence in a string (case-insensitive, invariant culture).",
    "category": "String"
  },
  "lastIndexOf": {
    "signature": "lastIndexOf(text: string, searchText: string)",
    "summary": "Returns the last index of a value within a string (case-insensitive, invariant culture)",
    "category": "String"
  },
  "startsWith": {
    "signature": "startsWith(text: string, searchText: string)",
    "summary": "Checks if the string starts with a value (case-insensitive, invariant culture)",
    "category": "String"
  },
  "endsWith": {
    "signature": "endsWith(text: string, searchText: string)",
    "summary": "Checks if the string ends with a value (case-insensitive, invariant culture)",
    "category": "String"
  },
  "split": {
    "signature": "split(text: string, separator: string)",
    "summary": "Splits the string using a separator",
    "category": "String"
  },
  "trim": {
    "signature": "trim(text: string)",
    "summary": "Trims leading and trailing whitespace from a string",
    "category": "String"
  },
  "formatNumber": {
    "signature": "formatNumber(number: number, format: string, locale?: string)",
    "summary": "Returns a formatted number string",
    "category": "String"
  },
  "trimByteOrderMark": {
    "signature": "trimByteOrderMark(content: string | binary)",
    "summary": "Removes Byte Order Mark (BOM) characters from the beginning of strings or binary content.",
    "category": "String"
  },
  "encodeXmlValue": {
    "signature": "encodeXmlValue(value: string)",
    "summary": "Encodes a string to ensure it is a valid XML element value by converting characters that are not allowed in...",
    "category": "String"
  },
  "decodeXmlValue": {
    "signature": "decodeXmlValue(value: string)",
    "summary": "Decodes a string that has been encoded as an XML element value back to its original form.",
    "category": "String"
  },
  "encodeXmlName": {
    "signature": "encodeXmlName(name: string)",
    "summary": "Encodes a string to ensure it is a valid XML element or attribute name.",
    "category": "String"
  },
  "decodeXmlName": {
    "signature": "decodeXmlName(name: string)",
    "summary": "Decodes a string that has been encoded as an XML element or attribute name back to its original form.",
    "category": "String"
  },
  "contains": {
    "signature": "contains(collection: array|string, value: string)",
    "summary": "Returns true if a dictionary contains a key, if an array contains a value, or if a string contains a substring",
    "category": "Collection"
  },
  "length": {
    "signature": "length(collection: array|string)",
    "summary": "Returns the number of elements in an array or string",
    "category": "Collection"
  },
  "sort": {
    "signature": "sort(colection: array, sortBy: string)",
    "summary": "Returns an array sorted in ascending order",
    "category": "Collection"
  },
  "reverse": {
    "signature": "reverse(collection: array)",
    "summary": "Returns the collection in reverse order",
    "category": "Collection"
  },
  "empty": {
    "signature": "empty(collection: object|array|string)",
    "summary": "Returns true if an object, array, or string is empty",
    "category": "Collection"
  },
  "intersection": {
    "signature": "intersection(collection_1: object|array, collection_2: object|array, ...)",
    "summary": "Returns a single array or object that has common elements between arrays or objects passed in",
    "category": "Collection"
  },
  "union": {
    "signature": "union(collection_1: object|array, collection_2: object|array, ...)",
    "summary": "Returns a single array or object with all the elements that are in either the array or object passed to thi...",
    "category": "Collection"
  },
  "first": {
    "signature": "first(collection: array|string)",
    "summary": "Returns the first element from the passed-in array or string.",
    "category": "Collection"
  },
  "last": {
    "signature": "last(collection: array|string)",
    "summary": "Returns the last element in the array or string passed in",
    "category": "Collection"
  },
  "take": {
    "signature": "take(collection: array|string, count: integer)",
    "summary": "Returns the first Count elements from the array or string passed in",
    "category": "Collection"
  },
  "skip": {
    "signature": "skip(collection: array, count: integer)",
    "summary": "Returns the elements in the array starting at index Count",
    "category": "Collection"
  },
  "join": {
    "signature": "join(collection: array, delimiter: string)",
    "summary": "Returns a string with each item of an array joined by a delimiter",
    "category": "Collection"
  },
  "chunk": {
    "signature": "chunk(collection: array|string, length: int)",
    "summary": "Split a string or array into chunks of equal length",
    "category": "Collection"
  },
  "if": {
    "signature": "if(expression: boolean, valueIfTrue: any, valueIfFalse: any)",
    "summary": "Returns a specified value based on whether the expression resulted in true or false",
    "category": "Logical comparison"
  },
  "equals": {
    "signature": "equals(object1: any, object2: any)",
    "summary": "Returns true if two values are equal.",
    "category": "Logical comparison"
  },
  "and": {
    "signature": "and(expression1: boolean, expression2: boolean)",
    "summary": "Returns true if both parameters are true",
    "category": "Logical comparison"
  },
  "or": {
    "signature": "or(expression1: boolean, expression2: boolean)",
    "summary": "Returns true if either parameter is true",
    "category": "Logical comparison"
  },
  "not": {
    "signature": "not(expression: boolean)",
    "summary": "Returns true if the parameters are false",
    "category": "Logical comparison"
  },
  "less": {
    "signature": "less(value: integer|float|string, compareTo: integer|float|string)",
    "summary": "Returns true if the first argument is less than the second.",
    "category": "Logical comparison"
  },
  "lessOrEquals": {
    "signature": "lessOrEquals(value: integer|float|string, compareTo: integer|float|string)",
    "summary": "Returns true if the first argument is less than or equal to the second",
    "category": "Logical comparison"
  },
  "greater": {
    "signature": "greater(value: integer|float|string, compareTo: integer|float|string)",
    "summary": "Returns true if the first argument is greater than the second",
    "category": "Logical comparison"
  },
  "greaterOrEquals": {
    "signature": "greaterOrEquals(value: integer|float|string, compareTo: integer|float|string)",
    "summary": "Returns true if the first argument is greater than or equal to the second",
    "category": "Logical comparison"
  },
  "isInt": {
    "signature": "isInt(value: string)",
    "summary": "Returns a boolean that indicates whether a string is an integer",
    "category": "Logical comparison"
  },
  "isFloat": {
    "signature": "isFloat(value: string, locale?: string)",
    "summary": "Returns a boolean that indicates whether a string is a floating-point number",
    "category": "Logical comparison"
  },
  "json": {
    "signature": "json(value: string)",
    "summary": "Converts the input to a JSON type value.",
    "category": "Conversion"
  },
  "xml": {
    "signature": "xml(value: string)",
    "summary": "Covert the input to an Xml type value",
    "category": "Conversion"
  },
  "int": {
    "signature": "int(value: string)",
    "summary": "Convert the parameter to an integer",
    "category": "Conversion"
  },
  "string": {
    "signature": "string(value: any)",
    "summary": "Convert the parameter to a string",
    "category": "Conversion"
  },
  "float": {
    "signature": "float(value: string)",
    "summary": "Convert the parameter argument to a floating-point number",
    "category": "Conversion"
  },
  "bool": {
    "signature": "bool(value: any)",
    "summary": "Convert the parameter to a Boolean",
    "category": "Conversion"
  },
  "base64": {
    "signature": "base64(value: string)",
    "summary": "Returns the base 64 representation of the input string",
    "category": "Conversion"
  },
  "base64ToBinary": {
    "signature": "base64ToBinary(value: string)",
    "summary": "Returns a binary representation of a base 64 encoded string",
    "category": "Conversion"
  },
  "base64ToString": {
    "signature": "base64ToString(value: string)",
    "summary": "Returns a string representation of a base 64 encoded string",
    "category": "Conversion"
  },
  "binary": {
    "signature": "binary(value: string)",
    "summary": "Returns a binary representation of a value",
    "category": "Conversion"
  },
  "dataUriToBinary": {
    "signature": "dataUriToBinary(value: string)",
    "summary": "Returns a binary representation of a data URI",
    "category": "Conversion"
  },
  "dataUriToString": {
    "signature": "dataUriToString(value: string)",
    "summary": "Returns a string representation of a data URI",
    "category": "Conversion"
  },
  "dataUri": {
    "signature": "dataUri(value: string)",
    "summary": "Returns a data URI of a value",
    "category": "Conversion"
  },
  "decodeBase64": {
    "signature": "decodeBase64(value: string)",
    "summary": "Returns a string representation of an input based64 string",
    "category": "Conversion"
  },
  "utf8Length": {
    "signature": "utf8Length(value: string)",
    "summary": "Returns the UTF-8 byte length of an input string",
    "category": "Conversion"
  },
  "utf16Length": {
    "signature": "utf16Length(value: string)",
    "summary": "Returns the UTF-16 byte length of an input string",
    "category": "Conversion"
  },
  "encodeUriComponent": {
    "signature": "encodeUriComponent(value: string)",
    "summary": "URL encodes the input string",
    "category": "Conversion"
  },
  "decodeUriComponent": {
    "signature": "decodeUriComponent(value: string)",
    "summary": "URL decodes the input string",
    "category": "Conversion"
  },
  "decodeDataUri": {
    "signature": "decodeDataUri(value: string)",
    "summary": "Returns a binary representation of an input data URI string",
    "category": "Conversion"
  },
  "uriComponent": {
    "signature": "uriComponent(value: string)",
    "summary": "Returns a URI encoded representation of a value",
    "category": "Conversion"
  },
  "uriComponentToBinary": {
    "signature": "uriComponentToBinary(value: string)",
    "summary": "Returns a binary representation of a URI encoded string",
    "category": "Conversion"
  },
  "uriComponentToString": {
    "signature": "uriComponentToString(value: string)",
    "summary": "Returns a string representation of a URI encoded string",
    "category": "Conversion"
  },
  "array": {
    "signature": "array(value: string)",
    "summary": "Convert the input to an array",
    "category": "Conversion"
  },
  "createArray": {
    "signature": "createArray(object_1: any, ...)",
    "summary": "Creates an array from the parameters",
    "category": "Conversion"
  },
  "triggerFormDataValue": {
    "signature": "triggerFormDataValue(key: string)",
    "summary": "Returns a single value matching the key name from form-data or form-encoded trigger output",
    "category": "Conversion"
  },
  "triggerFormDataMultiValues": {
    "signature": "triggerFormDataMultiValues(key: string)",
    "summary": "Returns an array of values matching the key name from form-data or form-encoded trigger output",
    "category": "Conversion"
  },
  "triggerMultipartBody": {
    "signature": "triggerMultipartBody(index: number)",
    "summary": "Returns the body for a part in a multipart output of the trigger",
    "category": "Conversion"
  },
  "formDataValue": {
    "signature": "formDataValue(actionName: string, key: string)",
    "summary": "Returns a single value matching the key name from form-data or form-encoded action output",
    "category": "Conversion"
  },
  "formDataMultiValues": {
    "signature": "formDataMultiValues(actionName: string, key: string)",
    "summary": "Returns an array of values matching the key name from form-data or form-encoded action output",
    "category": "Conversion"
  },
  "multipartBody": {
    "signature": "multipartBody(actionName: string, index: number)",
    "summary": "Returns the body for a part in a multipart output from an action.",
    "category": "Conversion"
  },
  "decimal": {
    "signature": "decimal(value: string)",
    "summary": "Converts the parameter to a decimal number",
    "category": "Conversion"
  },
  "min": {
    "signature": "min(value_1: array|number, ...)",
    "summary": "Returns the minimum value in the input array of numbers",
    "category": "Math"
  },
  "max": {
    "signature": "max(value_1: array|number, ...)",
    "summary": "Returns the maximum value in the input array of numbers",
    "category": "Math"
  },
  "rand": {
    "signature": "rand(minValue: integer, maxValue: integer)",
    "summary": "Returns a random integer from a specified range, which is inclusive only at the starting end.",
    "category": "Math"
  },
  "add": {
    "signature": "add(summand_1: number, summand_2: number)",
    "summary": "Returns the result from adding the two numbers",
    "category": "Math"
  },
  "sub": {
    "signature": "sub(minuend: number, subtrahend: number)",
    "summary": "Returns the result from subtracting two numbers",
    "category": "Math"
  },
  "mul": {
    "signature": "mul(multiplicand_1: number, multiplicand_2: number)",
    "summary": "Returns the result from multiplying the two numbers",
    "category": "Math"
  },
  "div": {
    "signature": "div(dividend: number, divisor: number)",
    "summary": "Returns the result from dividing the two numbers",
    "category": "Math"
  },
  "mod": {
    "signature": "mod(dividend: number, divisor: number)",
    "summary": "Returns the remainder after dividing the two numbers (modulo)",
    "category": "Math"
  },
  "range": {
    "signature": "range(startIndex: integer, count: integer)",
    "summary": "Generates an array of integers starting from a certain number",
    "category": "Math"
  },
  "utcNow": {
    "signature": "utcNow()",
    "summary": "Returns the current timestamp as a string",
    "category": "Date and time"
  },
  "getFutureTime": {
    "signature": "getFutureTime(interval: integer, timeUnit: string, format?: string)",
    "summary": "Returns a timestamp that is the current time plus the specified time interval.",
    "category": "Date and time"
  },
  "getPastTime": {
    "signature": "getPastTime(interval: integer, timeUnit: string, format?: string)",
    "summary": "Returns a timestamp that is the current time minus the specified time interval.",
    "category": "Date and time"
  },
  "addToTime": {
    "signature": "addToTime(timestamp: string, interval: integer, timeUnit: string, format?: string)",
    "summary": "Adds an integer number of a specified unit of time to a string timestamp passed in",
    "category": "Date and time"
  },
  "subtractFromTime": {
    "signature": "subtractFromTime(timestamp: string, interval: integer, timeUnit: string, format?: string)",
    "summary": "Subtracts an integer number of a specified unit of time from a string timestamp passed in",
    "category": "Date and time"
  },
  "addSeconds": {
    "signature": "addSeconds(timestamp: string, seconds: integer, format?: string)",
    "summary": "Adds an integer number of seconds to a string timestamp passed in",
    "category": "Date and time"
  },
  "addMinutes": {
    "signature": "addMinutes(timestamp: string, minutes: integer, format?: string)",
    "summary": "Adds an integer number of minutes to a string timestamp passed in",
    "category": "Date and time"
  },
  "addHours": {
    "signature": "addHours(timestamp: string, hours: integer, format?: string)",
    "summary": "Adds an integer number of hours to a string timestamp passed in",
    "category": "Date and time"
  },
  "addDays": {
    "signature": "addDays(timestamp: string, days: integer, format?: string)",
    "summary": "Adds an integer number of days to a string timestamp passed in",
    "category": "Date and time"
  },
  "dateDifference": {
    "signature": "dateDifference(startTimestamp: string, endTimestamp: string)",
    "summary": "Returns the difference between two dates as a timespan string",
    "category": "Date and time"
  },
  "convertTimeZone": {
    "signature": "convertTimeZone(timestamp: string, sourceTimeZone: string, destinationTimeZone: string, format?: string)",
    "summary": "Converts a string timestamp passed in from a source time zone to a target time zone",
    "category": "Date and time"
  },
  "convertToUtc": {
    "signature": "convertToUtc(timestamp: string, sourceTimeZone: string, format?: string)",
    "summary": "Converts a string timestamp passed in from a source time zone to UTC",
    "category": "Date and time"
  },
  "convertFromUtc": {
    "signature": "convertFromUtc(timestamp: string, destinationTimeZone: string, format?: string)",
    "summary": "Converts a string timestamp passed in from a UTC to a target time zone",
    "category": "Date and time"
  },
  "formatDateTime": {
    "signature": "formatDateTime(timestamp: string, format?: string, locale?: string)",
    "summary": "Returns a string in date format",
    "category": "Date and time"
  },
  "parseDateTime": {
    "signature": "parseDateTime(dateString: string, locale?: string, format?: string))",
    "summary": "Converts a string, with optionally a locale and a format to a date",
    "category": "Date and time"
  },
  "startOfHour": {
    "signature": "startOfHour(timestamp: string, format?: string)",
    "summary": "Returns the start of the hour to a string timestamp passed in",
    "category": "Date and time"
  },
  "startOfDay": {
    "signature": "startOfDay(timestamp: string, format?: string)",
    "summary": "Returns the start of the day for the passed-in string timestamp.",
    "category": "Date and time"
  },
  "startOfMonth": {
    "signature": "startOfMonth(timestamp: string, format?: string)",
    "summary": "Returns the start of the month of a string timestamp",
    "category": "Date and time"
  },
  "dayOfWeek": {
    "signature": "dayOfWeek(timestamp: string)",
    "summary": "Returns the day of week component of a string timestamp",
    "category": "Date and time"
  },
  "dayOfMonth": {
    "signature": "dayOfMonth(timestamp: string)",
    "summary": "Returns the day of month component of a string timestamp",
    "category": "Date and time"
  },
  "dayOfYear": {
    "signature": "dayOfYear(timestamp: string)",
    "summary": "Returns the day of year component of a string timestamp",
    "category": "Date and time"
  },
  "ticks": {
    "signature": "ticks(timestamp: string)",
    "summary": "Returns the number of ticks (100 nanoseconds interval) since 1 January 0001 00:00:00 UT of a string timestamp",
    "category": "Date and time"
  },
  "formatTimeSpan": {
    "signature": "formatTimeSpan(timeSpan: string, format: string, culture?: string)",
    "summary": "Formats a timespan value according to the specified format string and optional culture.",
    "category": "Date and time"
  },
  "parameters": {
    "signature": "parameters(parameterName: string)",
    "summary": "Returns a parameter value that is defined in the definition",
    "category": "Workflow (references)"
  },
  "result": {
    "signature": "result(scopedActionName?: string)",
    "summary": "Returns the results from the top-level actions in the specified scoped action, such as a For_each, Until, o...",
    "category": "Workflow (references)"
  },
  "actions": {
    "signature": "actions(actionName: string)",
    "summary": "Enables an expression to derive its value from other JSON name and value pairs or the output of the runtime...",
    "category": "Workflow (references)"
  },
  "outputs": {
    "signature": "outputs(actionName: string)",
    "summary": "Shorthand for actions('actionName').outputs",
    "category": "Workflow (references)"
  },
  "body": {
    "signature": "body(actionName: string)",
    "summary": "Shorthand for actions('actionName').outputs.body",
    "category": "Workflow (references)"
  },
  "triggerOutputs": {
    "signature": "triggerOutputs()",
    "summary": "Shorthand for trigger().outputs",
    "category": "Workflow (references)"
  },
  "triggerBody": {
    "signature": "triggerBody()",
    "summary": "Shorthand for trigger().outputs.body",
    "category": "Workflow (references)"
  },
  "trigger": {
    "signature": "trigger()",
    "summary": "Enables an expression to derive its value from other JSON name and value pairs or the output of the runtime...",
    "category": "Workflow (references)"
  },
  "item": {
    "signature": "item()",
    "summary": "When used inside for-each loop, this function returns the current item of the specified loop.",
    "category": "Workflow (references)"
  },
  "items": {
    "signature": "items(loopName: string)",
    "summary": "When used inside for-each loop, this function returns the current item of the specified loop.",
    "category": "Workflow (references)"
  },
  "iterationIndexes": {
    "signature": "iterationIndexes(loopName: string)",
    "summary": "When used inside until loop, this function returns the current iteration index of the specified loop.",
    "category": "Workflow (references)"
  },
  "variables": {
    "signature": "variables(variableName: string)",
    "summary": "Returns the value of the specified variable.",
    "category": "Workflow (references)"
  },
  "listCallbackUrl": {
    "signature": "listCallbackUrl()",
    "summary": "Returns the URL to invoke the trigger or action",
    "category": "Workflow (info)"
  },
  "workflow": {
    "signature": "workflow()",
    "summary": "This function provides you details for the workflow itself at runtime",
    "category": "Workflow (info)"
  },
  "uriHost": {
    "signature": "uriHost(uri: string)",
    "summary": "Returns the host from a URI",
    "category": "URI parsing"
  },
  "uriPath": {
    "signature": "uriPath(uri: string)",
    "summary": "Returns the path from a URI. If path is not specified, returns '/'",
    "category": "URI parsing"
  },
  "uriPathAndQuery": {
    "signature": "uriPathAndQuery(uri: string)",
    "summary": "Returns the path and query from a URI",
    "category": "URI parsing"
  },
  "uriPort": {
    "signature": "uriPort(uri: string)",
    "summary": "Returns the port from a URI. If port is not specified, returns the default port for the protocol",
    "category": "URI parsing"
  },
  "uriScheme": {
    "signature": "uriScheme(uri: string)",
    "summary": "Returns the scheme from a URI",
    "category": "URI parsing"
  },
  "uriQuery": {
    "signature": "uriQuery(uri: string)",
    "summary": "Returns the query from a URI",
    "category": "URI parsing"
  },
  "coalesce": {
    "signature": "coalesce(object_1: any, ...)",
    "summary": "Returns the first non-null object in the passed-in argument values.",
    "category": "Manipulation (JSON & XML)"
  },
  "addProperty": {
    "signature": "addProperty(object: object, property: string, value: any)",
    "summary": "Returns an object with an additional property value pair",
    "category": "Manipulation (JSON & XML)"
  },
  "setProperty": {
    "signature": "setProperty(object: object, property: string, value: any)",
    "summary": "Returns an object with a property set to the provided value",
    "category": "Manipulation (JSON & XML)"
  },
  "removeProperty": {
    "signature": "removeProperty(object: object, property: string)",
    "summary": "Returns an object with the specified property removed.",
    "category": "Manipulation (JSON & XML)"
  },
  "xpath": {
    "signature": "xpath(xml: any, xpath: any)",
    "summary": "Returns an XML node, nodeset or value as JSON from the provided XPath expression",
    "category": "Manipulation (JSON & XML)"
  },
  "mergeObjects": {
    "signature": "mergeObjects(object1: object, object2: object)",
    "summary": "Returns a single object containing all properties from the input objects. If both objects have the same pro...",
    "category": "Manipulation (JSON & XML)"
  },
  "actionBody": {
    "signature": "actionBody(actionName: string)",
    "summary": "Body output of an action",
    "category": "Workflow"
  },
  "actionOutputs": {
    "signature": "actionOutputs(actionName: string)",
    "summary": "Outputs of an action",
    "category": "Workflow"
  },
  "appsetting": {
    "signature": "appsetting(name: string)",
    "summary": "Value of an app setting",
    "category": "Workflow"
  },
  "triggers": {
    "signature": "triggers()",
    "summary": "The current trigger (conditions)",
    "category": "Workflow"
  }
};
