// @ts-check
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const NO_PROCESS_ENV = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message:
    "Read configuration from lib/config/env.js: it is validated at boot, so a missing or malformed setting stops start-up with its name instead of failing later in production.",
};

const NO_BARE_SCROLL_BOX = {
  selector: "JSXAttribute[name.name='className'] Literal[value=/\\boverflow(-[xy])?-(auto|scroll)\\b/]",
  message:
    "Wrap scrolling content in <ScrollRegion> (components/scroll-region.tsx): a box that scrolls must take keyboard focus and have a name, or keyboard users cannot reach what is off-screen.",
};

const config = [
  {
    ignores: [
      ".next/**",
      ".data/**",
      "node_modules/**",
      "lib/db/generated/**",
      "next-env.d.ts",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      "no-restricted-syntax": ["error", NO_PROCESS_ENV],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    files: ["app/**/*.tsx", "components/**/*.tsx"],
    ignores: ["components/scroll-region.tsx"],
    rules: { "no-restricted-syntax": ["error", NO_PROCESS_ENV, NO_BARE_SCROLL_BOX] },
  },
  {
    // The pure domain core: no clock. What it may import (zod, nothing else) and every other
    // layer's direction are in .dependency-cruiser.mjs, which `npm run lint` runs after ESLint.
    files: ["lib/domain/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        NO_PROCESS_ENV,
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Pass `now` in: the domain core never reads the clock.",
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "Pass `now` in: the domain core never reads the clock.",
        },
      ],
    },
  },
  {
    // Separate programs with their own settings, and the one module that reads the app's.
    files: [
      "lib/config/env.js",
      "scripts/**",
      "emulator/**",
      "e2e/**",
      "test/**",
      "prisma.config.ts",
      "playwright.config.ts",
      "vitest.config.ts",
    ],
    rules: { "no-restricted-syntax": "off" },
  },
];

export default config;
