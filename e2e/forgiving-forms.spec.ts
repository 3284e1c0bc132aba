import type { Page } from "@playwright/test";
import { expect, expectAccessible, signInAs, test, waitForHydration, waitForStatus } from "./support/fixtures";

/**
 * Forms that forgive: a refused request keeps everything typed and takes the user to what needs
 * fixing; tickets are taken in any case; a double-click files one request; a role in "What you can
 * request" fills the form; break-glass may bring its ticket later. On a desktop and on a phone.
 */

const SIZES = [
  { name: "desktop", viewport: { width: 1440, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

/** Tomorrow at 10:00 in the browser's (and this machine's) local time, as a datetime-local value. */
function tomorrowAtTen() {
  const day = new Date(Date.now() + 24 * 60 * 60 * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T10:00`;
}

async function openForm(page: Page) {
  await page.goto("/access");
  await waitForHydration(page, "form button[type='submit']");
}

/** The requests of the signed-in person, newest first, as the API lists them to their browser session. */
async function myRequestsWith(page: Page, justification: string) {
  const response = await page.context().request.get("/api/v1/requests?scope=mine");
  expect(response.ok(), "the API should list my requests").toBe(true);
  const { requests } = (await response.json()) as { requests: Array<{ justification: string; ticket: string | null }> };
  return requests.filter((r) => r.justification === justification);
}

for (const { name, viewport } of SIZES) {
  test.describe(`on a ${name}`, () => {
    test.use({ viewport });

    test(`[REQUESTS] a refused request keeps every value and focuses the error; a lower-case ticket is accepted; a double-click files one request (${name})`, async ({
      page,
      context,
    }) => {
      await signInAs(context, "n01@contoso.com");
      const justification = `Drain a broken node pool ${name} ${Date.now()}`;
      const startAt = tomorrowAtTen();
      await openForm(page);
      const rules = page.getByRole("complementary", { name: /Rules for/ });
      await page.getByLabel("Cluster", { exact: true }).selectOption("aks-prod-weu");
      await page.getByLabel("Role", { exact: true }).selectOption("admin");
      await expect(rules).toContainText(
        "Ticket: Required. Use an incident or change number, e.g. INC12345 or CHG0042.",
      );
      await expect(rules).not.toContainText("[0-9]");
      await page.getByLabel("Duration").selectOption("PT4H");
      await page.getByLabel(/^Justification/).fill(justification);
      await page.getByLabel(/^Ticket/).fill("JIRA-7");
      await page.getByRole("radio", { name: "Later" }).check();
      await page.getByLabel(/^Start time/).fill(startAt);
      await page.getByRole("checkbox", { name: /Break-glass/ }).check();
      await page.getByRole("button", { name: "Request access" }).click();

      // Refused for the ticket alone: everything typed is still there, and focus is on the ticket.
      const ticket = page.getByLabel(/^Ticket/);
      await expect(page.locator("#ticket-error")).toHaveText(
        'A ticket "JIRA-7" does not fit this role\'s format. Use an incident or change number, e.g. INC12345 or CHG0042.',
      );
      await expect(ticket).toBeFocused();
      await expect(ticket).toHaveAttribute("aria-invalid", "true");
      await expect(ticket).toHaveValue("JIRA-7");
      await expect(page.getByLabel("Cluster", { exact: true })).toHaveValue("aks-prod-weu");
      await expect(page.getByLabel("Role", { exact: true })).toHaveValue("admin");
      await expect(page.getByLabel("Duration")).toHaveValue("PT4H");
      await expect(page.getByLabel(/^Justification/)).toHaveValue(justification);
      await expect(page.getByRole("radio", { name: "Later" })).toBeChecked();
      // The field shows the time back as it is written everywhere: YYYY-MM-DD HH:MM.
      await expect(page.getByLabel(/^Start time/)).toHaveValue(startAt.replace("T", " "));
      await expect(page.getByRole("checkbox", { name: /Break-glass/ })).toBeChecked();
      await expect(page.getByRole("alert").first()).toContainText("Please fix the fields marked below.");
      await expectAccessible(page);

      // Another refusal: focus goes to the first field in error, above the ticket.
      await page.getByLabel(/^Justification/).fill("");
      await page.getByRole("button", { name: "Request access" }).click();
      await expect(page.getByLabel(/^Justification/)).toBeFocused();
      await expect(page.locator("#justification-error")).toContainText("Break-glass needs a reason");
      await expect(ticket).toHaveValue("JIRA-7");
      await page.getByLabel(/^Justification/).fill(justification);

      // Fixed in lower case, as people type it, and double-clicked: one request, its ticket upper-cased.
      await page.getByRole("checkbox", { name: /Break-glass/ }).uncheck();
      await ticket.fill(" inc12345 ");
      await page.getByRole("button", { name: "Request access" }).dblclick();
      await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
      await expect(page.locator("[data-status]").first()).toHaveText("waiting for approval");
      // The ticket as filed, upper-cased: a link to it through the catalog's ticket.urlTemplate.
      await expect(page.getByRole("link", { name: "INC12345 (opens the ticket in a new tab)" })).toBeVisible();
      expect(await myRequestsWith(page, justification)).toEqual([expect.objectContaining({ ticket: "INC12345" })]);
    });

    test(`[REQUESTS] a role in "What you can request" fills the form with its default duration (${name})`, async ({
      page,
      context,
    }) => {
      await signInAs(context, "n01@contoso.com");
      await openForm(page);
      await page
        .getByRole("region", { name: "What you can request" })
        .getByRole("listitem")
        .filter({ hasText: "aks-dev-weu (development)" })
        .getByRole("link", { name: "admin", exact: true })
        .click();
      await expect(page).toHaveURL(/\/access\?cluster=aks-dev-weu&role=admin#new-request$/);
      await expect(page.getByLabel("Cluster", { exact: true })).toHaveValue("aks-dev-weu");
      await expect(page.getByLabel("Role", { exact: true })).toHaveValue("admin");
      await expect(page.getByLabel("Role", { exact: true })).toBeFocused();
      await expect(page.getByLabel("Duration")).toHaveValue("PT2H");
      await expect(page.getByRole("complementary", { name: "Rules for admin on aks-dev-weu" })).toBeVisible();
      // Not "more time": nothing of this role is active.
      await expect(page.getByRole("region", { name: "Request access" })).not.toContainText("joins your current access");
      await expectAccessible(page);
    });
  });
}

test("[BREAK-GLASS] break-glass without its ticket is filed, and the request says the ticket is to follow", async ({
  page,
  context,
}) => {
  await signInAs(context, "n02@contoso.com");
  await openForm(page);
  await page.getByLabel("Cluster", { exact: true }).selectOption("aks-prod-weu");
  await page.getByLabel("Role", { exact: true }).selectOption("admin");
  await page.getByLabel(/^Justification/).fill(`The API server is down, paging incident in progress ${Date.now()}`);
  await page.getByRole("checkbox", { name: /Break-glass/ }).check();
  await page.getByRole("button", { name: "Request access" }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await expect(page.getByText("To follow: break-glass filed without one")).toBeVisible();
  await expectAccessible(page);
  // Break-glass needs no approval: end it, so that no access outlives the journey.
  await waitForStatus(page, "active");
  await page.getByRole("button", { name: "End access now" }).click();
  await page.getByRole("button", { name: "Yes, end it now" }).click();
  await expect(page.locator("[data-status]").first()).toHaveText("ended early");
});
