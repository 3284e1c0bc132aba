import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isReachableBy } from "./postgres-as-root";

// Guards the check that decides whether, as root, PostgreSQL's own user can reach its data where
// it was asked (a clone inside /root, mode 700, cannot be).
describe("isReachableBy", () => {
  let root: string;
  let owner: { uid: number; gid: number };
  const stranger = () => ({ uid: owner.uid + 4242, gid: owner.gid + 4242 });
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "reach-"));
    mkdirSync(path.join(root, "clone", ".data"), { recursive: true });
    const { uid, gid } = statSync(root);
    owner = { uid, gid };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    { mode: 0o700, user: "another user", expected: false },
    { mode: 0o711, user: "another user", expected: true },
    { mode: 0o750, user: "a member of the folder's group", expected: true },
    { mode: 0o700, user: "the folder's owner", expected: true },
  ])("a parent folder of mode $mode is reachable by $user: $expected", ({ mode, user, expected }) => {
    chmodSync(root, mode);
    const who =
      user === "another user" ? stranger() : user === "the folder's owner" ? owner : { ...stranger(), gid: owner.gid };
    expect(isReachableBy(path.join(root, "clone", ".data", "postgres"), who)).toBe(expected);
  });
});
