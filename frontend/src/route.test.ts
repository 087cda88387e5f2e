import { describe, expect, it } from "vitest";
import { parseRoute } from "./route";

describe("parseRoute", () => {
  it("test_it_parses_every_page", () => {
    expect(parseRoute("")).toEqual({ page: "list" });
    expect(parseRoute("#/workflows/a%20b")).toEqual({ page: "designer", name: "a b" });
    expect(parseRoute("#/workflows/x/runs")).toEqual({ page: "runs", workflow: "x" });
    expect(parseRoute("#/runs")).toEqual({ page: "runs" });
    expect(parseRoute("#/runs/R1")).toEqual({ page: "run", id: "R1" });
    expect(parseRoute("#/broker")).toEqual({ page: "broker" });
  });
});
