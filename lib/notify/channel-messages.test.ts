import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { buildMail, buildSlackMessage, buildTeamsMessage, escapeCardMarkdown } from "./channel-messages";
import { ZGraphSendMail, ZSlackWebhookMessage, ZTeamsWebhookMessage } from "./channel-shapes";
import { describeNotification, NOTIFICATION_KINDS, type RequestSummary } from "./messages";

const APP_URL = "https://jit.contoso.com/";
const priya = { displayName: "Priya Raman", userPrincipalName: "p01@contoso.com" };
const request: RequestSummary = {
  id: "3f8a1c52-7d4e-4b7a-9f3c-2d1e0a9b8c7d",
  clusterName: "aks-prod-weu",
  clusterDisplayName: "Production (West Europe)",
  environment: "production",
  risk: null,
  roleDescription: null,
  ticketUrl: null,
  roleName: "admin",
  requester: { displayName: "Nadia Okafor", userPrincipalName: "n01@contoso.com" },
  durationMinutes: 90,
  justification: "Rotate <certificates> & restart *ingress*",
  ticket: "INC12345",
  isBreakGlass: false,
  status: "pending",
  approvalsRequired: 2,
  approvedBy: [],
  activeUntil: null,
  failureReason: null,
};
const filed = describeNotification({ kind: "request_filed", audience: "approver", request, appUrl: APP_URL });

describe("notification messages", () => {
  it("links absolutely to the request, and lists its facts", () => {
    expect(filed.url).toBe(`https://jit.contoso.com/requests/${request.id}`);
    expect(filed.linkPath).toBe(`/requests/${request.id}`);
    expect(filed.title).toBe("Approval needed: admin on aks-prod-weu");
    expect(filed.facts).toEqual([
      { title: "Requester", value: "Nadia Okafor (n01@contoso.com)" },
      { title: "Cluster", value: "Production (West Europe) (production)" },
      { title: "Role", value: "admin" },
      { title: "Duration", value: "1 h 30 min" },
      { title: "Justification", value: "Rotate <certificates> & restart *ingress*" },
      { title: "Ticket", value: "INC12345" },
      { title: "Approvals", value: "0 of 2" },
    ]);
  });

  it("tells the other approvers who approved already, and what is still missing", () => {
    const approved = { ...request, approvedBy: [priya] };
    const details = { outcome: "approve" as const, actor: priya };
    const toApprovers = describeNotification({
      kind: "request_decided",
      audience: "approver",
      request: approved,
      details,
      appUrl: APP_URL,
    });
    expect(toApprovers.title).toBe("Already approved by p01@contoso.com: admin on aks-prod-weu");
    expect(toApprovers.text).toBe(
      "Priya Raman (p01@contoso.com) approved Nadia Okafor's request. It needs 1 more approval.",
    );
    const done = describeNotification({
      kind: "request_decided",
      audience: "requester",
      request: { ...approved, status: "approved", approvalsRequired: 1 },
      details,
      appUrl: APP_URL,
    });
    expect(done.title).toBe("Approved: your request for admin on aks-prod-weu");
  });

  it.each(["break_glass", "break_glass_review_overdue"] as const)(
    "links %s to the break-glass review form on the request page",
    (kind) => {
      const message = describeNotification({
        kind,
        audience: "auditor",
        request: { ...request, isBreakGlass: true },
        appUrl: APP_URL,
      });
      expect(message).toMatchObject({
        actionTitle: "Review the break-glass access",
        url: `https://jit.contoso.com/requests/${request.id}#review`,
        isUrgent: true,
      });
    },
  );

  it("gives the holder an Extend link before their access ends", () => {
    const ending = describeNotification({
      kind: "access_ending_soon",
      audience: "requester",
      request: { ...request, status: "active", activeUntil: new Date("2026-11-23T12:00:00Z") },
      details: { minutes: 15 },
      appUrl: APP_URL,
    });
    expect(ending).toMatchObject({
      title: "Your admin on aks-prod-weu access ends in 15 min",
      actionTitle: "Extend access",
      url: `https://jit.contoso.com/requests/${request.id}#actions`,
    });
    expect(ending.text).toContain("2026-11-23 12:00 UTC");
  });

  it.each(NOTIFICATION_KINDS)("words %s for every audience", (kind) => {
    for (const audience of ["requester", "approver", "auditor", "admin"] as const) {
      const message = describeNotification({ kind, audience, request, details: { minutes: 30 }, appUrl: APP_URL });
      expect(message.title.length).toBeGreaterThan(0);
      expect(ZTeamsWebhookMessage.safeParse(buildTeamsMessage(message)).success).toBe(true);
      expect(ZSlackWebhookMessage.safeParse(buildSlackMessage(message)).success).toBe(true);
    }
  });
});

describe("channel payloads", () => {
  it("builds a Teams message with one Adaptive Card 1.4: facts and an Open URL button", () => {
    const payload = buildTeamsMessage(filed);
    expect(ZTeamsWebhookMessage.parse(payload)).toBeTruthy();
    const card = payload.attachments[0]!.content;
    const factSet = card.body.find((element) => element.type === "FactSet") as { facts: typeof filed.facts };
    expect(factSet.facts.map((f) => ({ title: shown(f.title).text, value: shown(f.value).text }))).toEqual(filed.facts);
    expect(card.actions).toEqual([{ type: "Action.OpenUrl", title: "Review the request", url: filed.url }]);
  });

  it("builds a Slack Block Kit message whose user text cannot become a link or mention", () => {
    const payload = buildSlackMessage(filed);
    expect(ZSlackWebhookMessage.parse(payload)).toBeTruthy();
    expect(payload.text).toBe(`Approval needed: admin on aks-prod-weu: ${filed.url}`);
    const fields = JSON.stringify(payload.blocks[2]);
    expect(fields).toContain("Rotate &lt;certificates&gt; &amp; restart *ingress*");
    expect(payload.blocks[3]).toMatchObject({ type: "actions", elements: [{ type: "button", url: filed.url }] });
  });

  it("builds a sendMail body to one person, with the request's words HTML-escaped", () => {
    const mail = buildMail(filed, { address: "p01@contoso.com", name: "Priya Raman" });
    expect(ZGraphSendMail.parse(mail)).toBeTruthy();
    expect(mail.message.subject).toBe("[AKS JIT] Approval needed: admin on aks-prod-weu");
    expect(mail.message.body.content).toContain(`<a href="${filed.url}">Review the request</a>`);
    expect(mail.message.body.content).toContain("Rotate &lt;certificates&gt; &amp; restart *ingress*");
    expect(mail.message.toRecipients).toEqual([{ emailAddress: { address: "p01@contoso.com", name: "Priya Raman" } }]);
  });

  it("shortens what Slack limits: a header of 150 characters, 10 fields", () => {
    const long = {
      ...filed,
      title: "x".repeat(300),
      facts: Array.from({ length: 12 }, (_, i) => ({ title: `f${i}`, value: "v" })),
    };
    expect(ZSlackWebhookMessage.safeParse(buildSlackMessage(long)).success).toBe(true);
  });
});

// CommonMark, of which Adaptive Card Markdown is a subset: what a Teams client makes of card text.
const commonMark = new MarkdownIt("commonmark");
const PLAIN = new Set(["paragraph_open", "paragraph_close", "inline", "text", "softbreak"]);

/** The text a CommonMark renderer shows for `markdown`, and any token that is more than plain text. */
function shown(markdown: string) {
  const markup: string[] = [];
  const lines: string[] = [];
  for (const block of commonMark.parse(markdown, {})) {
    if (!PLAIN.has(block.type)) markup.push(block.type);
    const inline = (block.children ?? []).map((token) => {
      if (!PLAIN.has(token.type)) markup.push(token.type);
      return token.type === "softbreak" ? "\n" : token.content;
    });
    if (block.type === "inline") lines.push(inline.join(""));
  }
  return { text: lines.join("\n"), markup };
}

/**
 * Guards the approvers' Teams channel against a requester's planted link: the issue found the
 * justification and comments put into the Adaptive Card as Markdown, unescaped.
 */
describe("Teams card text", () => {
  const hostile = [
    "[Approve here](https://evil.example)",
    "![pixel](https://evil.example/p.png)",
    "<https://evil.example>",
    "**urgent** _now_ `rm -rf` ~~no~~",
    "- one\n+ two\n1. three\n2) four",
    "# Heading\n> quoted\nunderlined\n===\n---",
    "&lt;b&gt; &amp; \\[escaped\\]",
    "{{DATE(2026-12-05T08:00:00Z, SHORT)}}",
    "a\r- list after a carriage return",
  ];

  it("shows a Markdown link in the justification as text, with no link in the card", () => {
    const justification = "[Approve here](https://evil.example) please";
    const message = describeNotification({
      kind: "request_filed",
      audience: "approver",
      request: { ...request, justification },
      appUrl: APP_URL,
    });
    const card = ZTeamsWebhookMessage.parse(buildTeamsMessage(message)).attachments[0]!.content;
    const texts = card.body.flatMap((element) =>
      element.type === "FactSet" ? element.facts.flatMap((f) => [f.title, f.value]) : [element.text],
    );
    expect(texts.map(shown).flatMap((s) => s.markup)).toEqual([]);
    expect(texts.map((text) => shown(text).text)).toContain(justification);
    expect(JSON.stringify(card)).not.toContain("[Approve here](https://evil.example)");
  });

  it("shows a comment on a decision as text", () => {
    const message = describeNotification({
      kind: "request_decided",
      audience: "requester",
      request: { ...request, status: "denied" },
      details: { outcome: "deny", actor: priya, comment: "**Denied**, see [the runbook](https://evil.example)" },
      appUrl: APP_URL,
    });
    const text = (buildTeamsMessage(message).attachments[0]!.content.body[1] as { text: string }).text;
    expect(shown(text)).toEqual({ text: message.text, markup: [] });
  });

  it.each(hostile)("escapes %j so that it reads as written", (input) => {
    const { text, markup } = shown(escapeCardMarkdown(input));
    expect(markup).toEqual([]);
    expect(text).toBe(input.replace(/\r/g, "\n"));
  });

  it("keeps user text out of Adaptive Card functions such as {{DATE(...)}}", () => {
    expect(escapeCardMarkdown("{{DATE(2026-12-05T08:00:00Z, SHORT)}}")).not.toContain("{{");
  });

  it("leaves ordinary text readable", () => {
    expect(escapeCardMarkdown("Nadia Okafor (n01@contoso.com) approved it. 2 of 2.")).toBe(
      "Nadia Okafor (n01@contoso.com) approved it. 2 of 2.",
    );
  });
});
