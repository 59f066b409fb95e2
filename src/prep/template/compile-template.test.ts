import { describe, expect, it } from "vitest";
import { compileTemplate } from "./compile-template.js";
import { parseTemplateSpec } from "./template-spec.js";

const spec = (value: object) => parseTemplateSpec(value, "test");

describe("compileTemplate", () => {
  it("renders system and user without HTML escaping", () => {
    const t = compileTemplate(
      spec({
        model: "m",
        system: "Be <brief>.",
        user: "Summarise: {{transcript}}",
        max_tokens: 20,
        temperature: 0,
      }),
    );
    const r = t.render({ transcript: `Tom & Jerry said "hi" <b>` });
    expect(r).toEqual({
      ok: true,
      payload: {
        endpoint: "/v1/chat/completions",
        body: {
          model: "m",
          messages: [
            { role: "system", content: "Be <brief>." },
            { role: "user", content: `Summarise: Tom & Jerry said "hi" <b>` },
          ],
          max_tokens: 20,
          temperature: 0,
        },
      },
    });
  });

  it("reports every missing field instead of rendering empty strings", () => {
    const t = compileTemplate(spec({ model: "m", system: "{{lang}}", user: "{{a}} {{{b}}} {{c.d}}" }));
    expect(t.fields).toEqual(["lang", "a", "b", "c.d"]);
    expect(t.render({ a: "x", c: {} })).toEqual({ ok: false, missing: ["lang", "b", "c.d"] });
    expect(t.render({ lang: "en", a: null, b: 1, c: { d: 2 } })).toEqual({ ok: false, missing: ["a"] });
  });

  it("treats sections as optional and renders nested values as JSON", () => {
    const t = compileTemplate(spec({ model: "m", prompt: "{{text}}{{#notes}} Notes: {{notes}}{{/notes}}" }));
    expect(t.fields).toEqual(["text"]);
    const withNotes = t.render({ text: { a: [1] }, notes: "n" });
    const without = t.render({ text: "t" });
    expect(
      withNotes.ok &&
        withNotes.payload.endpoint === "/v1/chat/completions" &&
        withNotes.payload.body.messages,
    ).toEqual([{ role: "user", content: '{"a":[1]} Notes: n' }]);
    expect(
      without.ok && without.payload.endpoint === "/v1/chat/completions" && without.payload.body.messages,
    ).toEqual([{ role: "user", content: "t" }]);
  });

  it("builds embeddings and completions bodies", () => {
    const e = compileTemplate(spec({ model: "text-embedding-3-small", input: "{{text}}" })).render({
      text: "hello",
    });
    expect(e).toEqual({
      ok: true,
      payload: { endpoint: "/v1/embeddings", body: { model: "text-embedding-3-small", input: "hello" } },
    });
    const c = compileTemplate(
      spec({
        model: "m",
        endpoint: "/v1/completions",
        prompt: "Q: {{q}}",
        max_tokens: 5,
        params: { stop: ["\n"] },
      }),
    ).render({ q: "why" });
    expect(c).toEqual({
      ok: true,
      payload: {
        endpoint: "/v1/completions",
        body: { model: "m", prompt: "Q: why", max_tokens: 5, stop: ["\n"] },
      },
    });
  });

  it("rejects partials and malformed tags at compile time", () => {
    expect(() => compileTemplate(spec({ model: "m", user: "{{> header}}" }))).toThrow(/partials/);
    expect(() => compileTemplate(spec({ model: "m", user: "{{#open}} never closed" }))).toThrow(
      /invalid_template|Unclosed/,
    );
  });
});

describe("parseTemplateSpec", () => {
  it("infers the endpoint and checks the text fields", () => {
    expect(spec({ model: "m", input: "{{t}}" }).endpoint).toBe("/v1/embeddings");
    expect(spec({ model: "m", user: "{{t}}" }).endpoint).toBe("/v1/chat/completions");
    expect(() => spec({ model: "m", user: "a", prompt: "b" })).toThrow(/exactly one/);
    expect(() => spec({ user: "a" })).toThrow(/"model" is required/);
    expect(() => spec({ model: "m", user: "a", max_tokens: 0 })).toThrow(/positive integer/);
    expect(() => spec({ model: "m", user: "a", top_p: 1 })).toThrow(/unknown key 'top_p'/);
    expect(() => spec({ model: "m", input: "a", max_tokens: 5 })).toThrow(/do not apply/);
  });
});
