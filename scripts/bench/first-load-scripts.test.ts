import { describe, expect, it } from "vitest";
import { firstLoadScripts, flightText } from "./first-load-scripts";

const PAGE = "http://localhost:3000/access";
const push = (text: string) => `<script>self.__next_f.push(${JSON.stringify([1, text])})</script>`;

describe("firstLoadScripts", () => {
  it("counts script tags, preloaded scripts and the client components' chunks in the flight data, each once", () => {
    const html = [
      '<link rel="preload" as="script" fetchPriority="low" href="/_next/static/chunks/webpack-a.js?dpl=v1"/>',
      '<link rel="stylesheet" href="/_next/static/chunks/styles.css?dpl=v1"/>',
      '<script src="/_next/static/chunks/webpack-a.js?dpl=v1" async=""></script>',
      '<script src="/_next/static/chunks/main-b.js?dpl=v1" async=""></script>',
      push(
        '1:"$Sreact.fragment"\n2:I[12345,["/_next/static/chunks/form-c.js?dpl=v1","/_next/static/chunks/main-b.js"],"RequestForm"]\n',
      ),
      push(
        '3:I["67890",["static/chunks/nav-d.js"],"MainNav"]\n4:["$","p",null,{"children":"see static/chunks/not-a-row.js"}]\n',
      ),
    ].join("");
    expect(firstLoadScripts(html, PAGE)).toEqual([
      "http://localhost:3000/_next/static/chunks/webpack-a.js?dpl=v1",
      "http://localhost:3000/_next/static/chunks/main-b.js?dpl=v1",
      "http://localhost:3000/_next/static/chunks/form-c.js?dpl=v1",
      "http://localhost:3000/_next/static/chunks/nav-d.js",
    ]);
  });

  it("leaves out the nomodule polyfills, which a browser with ES modules never loads, and other origins' scripts", () => {
    const html = [
      '<script src="/_next/static/chunks/polyfills.js?dpl=v1" noModule=""></script>',
      '<script src="https://cdn.example.com/analytics.js"></script>',
      '<script src="/_next/static/chunks/main.js" async=""></script>',
    ].join("");
    expect(firstLoadScripts(html, PAGE)).toEqual(["http://localhost:3000/_next/static/chunks/main.js"]);
  });
});

describe("flightText", () => {
  it("joins the string parts of Next's flight scripts in order, escapes undone", () => {
    const html = `${push('0:{"a":"<\\u0026>"}\n')}<script>self.__next_f.push([0])</script>${push('1:I[1,[],"X"]\n')}`;
    expect(flightText(html)).toBe('0:{"a":"<\\u0026>"}\n1:I[1,[],"X"]\n');
  });
});
