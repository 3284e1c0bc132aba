/* G2–G4, G6–G9: the lists PIM for Groups serves, each with `…/{id}` and
 * `…/filterByCurrentUser(on='…')` under it. */
import type { ServerResponse } from "node:http";
import type { EmulatorContext } from "../context";
import { authenticated, sendPage, sendResourceNotFound } from "../graph";
import { type EmulatorRequest, type Router, sendGraphError, sendJson } from "../http";
import { seededEligibilities } from "./eligibility";
import { type Filter, matches, parseFilter } from "./filter";
import { BASE, CONTEXT_BASE } from "./model";
import { type PimState, requestResource } from "./schedule-requests";

type Item = Record<string, unknown>;
type CurrentUserFilters = Record<string, (item: Item, userId: string) => boolean>;

const requiresScope = (filter: Filter) => filter.some(([p]) => p === "groupId" || p === "principalId");

/** Serves a collection and `…/{id}` and `…/filterByCurrentUser(on='…')` under it. */
function collection(
  router: Router,
  ctx: EmulatorContext,
  name: string,
  properties: readonly string[],
  items: () => Item[],
  currentUser: CurrentUserFilters,
) {
  const context = `${CONTEXT_BASE}/${name}`;
  const list = (req: EmulatorRequest, res: ServerResponse, mine?: (item: Item) => boolean) => {
    const filter = parseFilter(req.url.searchParams.get("$filter"), properties);
    if (typeof filter === "string") return sendGraphError(res, 400, "BadRequest", filter);
    // UNCERTAIN (contract G): the error code when the required $filter is missing.
    if (!mine && !requiresScope(filter)) {
      return sendGraphError(
        res,
        400,
        "BadRequest",
        "This collection requires a $filter (eq) on principalId or groupId, for example $filter=groupId eq '{id}'.",
      );
    }
    sendPage(
      ctx,
      req,
      res,
      context,
      items().filter((item) => (!mine || mine(item)) && matches(item, filter)),
    );
  };
  router.on(
    "GET",
    `${BASE}/${name}`,
    authenticated(ctx, (req, res) => list(req, res)),
  );
  router.on(
    "GET",
    `${BASE}/${name}/:id`,
    authenticated(ctx, (req, res, token) => {
      const id = req.params.id ?? "";
      const fn = /^filterByCurrentUser\(on='(\w+)'\)$/i.exec(id);
      if (fn) {
        if (token.idtyp === "app") {
          return sendGraphError(
            res,
            400,
            "BadRequest",
            "filterByCurrentUser is only valid with delegated authentication flow.",
          );
        }
        const on = Object.keys(currentUser).find((k) => k.toLowerCase() === fn[1]!.toLowerCase());
        if (!on) return sendGraphError(res, 400, "BadRequest", `Invalid value '${fn[1]}' for parameter 'on'.`);
        return list(req, res, (item) => currentUser[on]!(item, String(token.oid)));
      }
      const item = items().find((i) => String(i.id).toLowerCase() === id.toLowerCase());
      if (!item) return sendResourceNotFound(res, id);
      sendJson(res, 200, { "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#${context}/$entity`, ...item });
    }),
  );
}

export function registerCollections(router: Router, pim: PimState) {
  const { ctx, assignments, requests } = pim;
  const byPrincipal: CurrentUserFilters = { principal: (item, userId) => item.principalId === userId };
  const serve = (name: string, properties: readonly string[], items: () => Item[], currentUser = byPrincipal) =>
    collection(router, ctx, name, properties, items, currentUser);

  serve(
    "assignmentScheduleRequests",
    ["id", "principalId", "groupId", "accessId", "status", "action", "targetScheduleId"],
    () => requests.map((r) => requestResource(pim, r)),
    {
      ...byPrincipal,
      createdBy: (item, userId) => (item.createdBy as { user?: { id?: string } | null }).user?.id === userId,
      approver: () => false, // no request here ever needs approval
    },
  );
  serve(
    "assignmentSchedules",
    ["id", "principalId", "groupId", "accessId", "status", "memberType", "assignmentType"],
    () => assignments.schedules(ctx.now()),
  );
  serve(
    "assignmentScheduleInstances",
    ["id", "principalId", "groupId", "accessId", "memberType", "assignmentType", "assignmentScheduleId"],
    () => assignments.instances(ctx.now()),
  );
  // The seed's eligibilities (tenant `pim.eligibilities`), read by `npm run doctor`.
  const eligibilities = seededEligibilities(ctx, assignments.seededAt);
  serve(
    "eligibilitySchedules",
    ["id", "principalId", "groupId", "accessId", "memberType", "status"],
    eligibilities.schedules,
  );
  serve(
    "eligibilityScheduleInstances",
    ["id", "principalId", "groupId", "accessId", "memberType"],
    eligibilities.instances,
  );
}
