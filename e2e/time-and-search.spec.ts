import {
  expect,
  expectAccessible,
  fileRequest,
  signInAs,
  test,
  waitForHydration,
  waitForStatus,
} from "./support/fixtures";

/**
 * An auditor in India: the Audit page shows times in the browser's zone (Asia/Kolkata, UTC+5:30)
 * with UTC on keyboard focus, a preset fills the range in that zone, a person is picked from the
 * directory with the keyboard alone, and the background jobs' own Graph and ARM calls stay hidden
 * until "Show system events" is ticked.
 */

const SIZES = [
  { name: "desktop", viewport: { width: 1440, height: 900 }, holder: "n01@contoso.com", typed: "nad" },
  { name: "phone", viewport: { width: 390, height: 844 }, holder: "n02@contoso.com", typed: "noa" },
] as const;

const ZONE = /^Asia\/(Kolkata|Calcutta)$/; // Chromium may report ICU's older canonical name
const IST_MS = (5 * 60 + 30) * 60_000;

/** Today's date (YYYY-MM-DD) in India, and the next one, as the presets write them. */
function indianDays() {
  const day = (ms: number) => new Date(ms + IST_MS).toISOString().slice(0, 10);
  const now = Date.now();
  return { today: day(now), tomorrow: day(now + 24 * 60 * 60_000) };
}

for (const { name, viewport, holder, typed } of SIZES) {
  test.describe(`on a ${name}`, () => {
    test.use({ viewport, timezoneId: "Asia/Kolkata" });

    test(`[AUDIT] times in the viewer's zone with UTC on focus; a preset, a person picked by keyboard, system events on request (${name})`, async ({
      browser,
      page,
      context,
    }) => {
      // A self-activating role: the activation job's Graph and ARM calls are events without a person.
      const holderContext = await browser.newContext({ ignoreHTTPSErrors: true });
      await signInAs(holderContext, holder);
      const holderPage = await holderContext.newPage();
      await fileRequest(holderPage, { cluster: "aks-dev-weu", role: "admin", justification: `Zones ${Date.now()}` });
      await expect(holderPage).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
      await waitForStatus(holderPage, "active");
      await holderContext.close();

      await signInAs(context, "aud01@contoso.com");
      await page.goto("/audit");
      // The browser tells the server its zone on the first visit; the page then renders in it.
      const from = page.getByLabel(/^From \(/);
      await expect(from).toHaveAccessibleName(/^From \(Asia\/(Kolkata|Calcutta)\)$/);
      const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
      expect(zone).toMatch(ZONE);
      await expect(page.locator("#from-hint")).toHaveText(`At or after: YYYY-MM-DD HH:MM, 24-hour, ${zone} time.`);

      // "Today" fills the range with today in India, midnight to midnight.
      await page.getByRole("navigation", { name: "Time range presets" }).getByRole("link", { name: "Today" }).click();
      const { today, tomorrow } = indianDays();
      await expect(page.getByLabel(/^From \(/)).toHaveValue(`${today} 00:00`);
      await expect(page.getByLabel(/^To \(/)).toHaveValue(`${tomorrow} 00:00`);
      await expect(page.getByRole("link", { name: "Today" })).toHaveAttribute("aria-current", "true");

      // The people picker, by keyboard alone: type, ↓ to the suggestion, Enter.
      await waitForHydration(page, "input[role='combobox']");
      const person = page.getByRole("combobox", { name: "Involving" });
      await person.focus();
      await person.pressSequentially(typed);
      const listbox = page.getByRole("listbox", { name: "People in the directory" });
      const option = listbox.getByRole("option", { name: new RegExp(holder) });
      await expect(option).toBeVisible();
      await expectAccessible(page);
      await page.keyboard.press("ArrowDown");
      await expect(option).toHaveAttribute("aria-selected", "true");
      await expect(person).toHaveAttribute("aria-activedescendant", (await option.getAttribute("id"))!);
      await page.keyboard.press("Enter");
      await expect(person).toHaveValue(holder);
      await expect(listbox).toBeHidden();
      await expect(person).toBeFocused();

      await page.getByRole("button", { name: "Search" }).click();
      await expect(page).toHaveURL(new RegExp(`involving=${encodeURIComponent(holder)}`));
      const events = page.locator("section[aria-labelledby='events-title']");
      await expect(events.getByText("request.activated").first()).toBeVisible();
      // System events are hidden by default: the page is rendered whole, so their absence is final.
      await expect(page.getByRole("checkbox", { name: "Show system events" })).not.toBeChecked();
      await expect(events.getByText("provider.call", { exact: true })).toHaveCount(0);

      // Every time is in India's time, with UTC on keyboard focus.
      const time = events.locator("time").first();
      const iso = (await time.getAttribute("datetime"))!;
      const inIndia = new Date(Date.parse(iso) + IST_MS).toISOString().slice(11, 19);
      await expect(time).toHaveText(new RegExp(`${inIndia} (GMT\\+5:30|IST)$`));
      await page.mouse.move(0, 0); // no tooltip from hovering
      await time.focus();
      const tooltip = page.getByRole("tooltip");
      await expect(tooltip).toHaveText(new RegExp(`${iso.slice(11, 19)} UTC$`));
      await expect(time).toHaveAccessibleDescription(new RegExp(`${iso.slice(11, 19)} UTC$`));
      await expectAccessible(page);
      await page.keyboard.press("Escape");
      await expect(tooltip).toHaveCount(0);

      // Asked for, the jobs' calls show, in the same range and for the same person.
      await page.getByRole("checkbox", { name: "Show system events" }).check();
      await page.getByRole("button", { name: "Search" }).click();
      await expect(page).toHaveURL(/system=include/);
      await expect(events.getByText("provider.call", { exact: true }).first()).toBeVisible();
      await expect(page.getByRole("checkbox", { name: "Show system events" })).toBeChecked();
      await expect(page.getByLabel(/^From \(/)).toHaveValue(`${today} 00:00`);
      await expect(person).toHaveValue(holder);
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
      await expectAccessible(page);
    });
  });
}
