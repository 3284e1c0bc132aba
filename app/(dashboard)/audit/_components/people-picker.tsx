"use client";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

interface Person {
  displayName: string;
  userPrincipalName: string;
}

/** What the directory said for one prefix. */
type Lookup =
  | { state: "idle" }
  | { state: "loading"; prefix: string }
  | { state: "done"; prefix: string; people: Person[] }
  | { state: "failed"; prefix: string; message: string };

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;

/**
 * A text field that suggests people from the directory as one types (GET /audit/people, Graph
 * `startswith` on name and UPN), following the ARIA combobox pattern with a listbox popup: ↓/↑ move
 * through the suggestions, Enter picks one, Escape closes the list (or clears the field when it is
 * closed), Tab leaves. The field keeps whatever is typed, so a full UPN works without the directory
 * (and without JavaScript: it is a plain named input in a GET form).
 */
export function PeoplePicker(props: {
  id: string;
  name: string;
  defaultValue: string;
  className: string;
  describedBy?: string;
  invalid?: boolean;
}) {
  const listId = useId();
  const statusId = useId();
  const [value, setValue] = useState(props.defaultValue);
  const [query, setQuery] = useState("");
  const [latest, setLookup] = useState<Lookup>({ state: "idle" });
  const [isOpen, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);

  // Only what the person typed searches; picking a suggestion sets the value without a new search.
  useEffect(() => {
    const prefix = query.trim();
    if (prefix.length < MIN_CHARS) return;
    const abort = new AbortController();
    const timer = setTimeout(async () => {
      setLookup({ state: "loading", prefix });
      try {
        const response = await fetch(`/audit/people?q=${encodeURIComponent(prefix)}`, { signal: abort.signal });
        const body = (await response.json()) as { people?: Person[]; message?: string };
        if (!response.ok || !body.people) {
          setLookup({ state: "failed", prefix, message: body.message ?? "The directory could not be searched." });
        } else {
          setLookup({ state: "done", prefix, people: body.people });
        }
        setActive(-1);
      } catch (error) {
        if ((error as Error).name !== "AbortError") {
          setLookup({ state: "failed", prefix, message: "The directory could not be reached: type the full UPN." });
        }
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [query]);

  // An answer for an older prefix (or for text since cleared) is not shown.
  const lookup: Lookup = latest.state !== "idle" && latest.prefix === query.trim() ? latest : { state: "idle" };
  const people = lookup.state === "done" ? lookup.people : [];
  const isExpanded = isOpen && people.length > 0;
  const optionId = (index: number) => `${listId}-option-${index}`;

  const pick = (person: Person) => {
    setValue(person.userPrincipalName);
    setQuery("");
    setOpen(false);
    setActive(-1);
    inputRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (people.length === 0) return;
      event.preventDefault();
      setOpen(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((current) =>
        isExpanded ? (current + step + people.length) % people.length : step > 0 ? 0 : people.length - 1,
      );
    } else if (event.key === "Enter" && isExpanded && active >= 0) {
      event.preventDefault(); // picks the person rather than submitting the search
      pick(people[active]!);
    } else if (event.key === "Escape") {
      if (isExpanded) {
        event.preventDefault();
        setOpen(false);
        setActive(-1);
      } else {
        setValue("");
        setQuery("");
      }
    }
  };

  const status =
    lookup.state === "loading"
      ? "Searching the directory…"
      : lookup.state === "failed"
        ? lookup.message
        : lookup.state === "done"
          ? people.length === 0
            ? `No one's name or user name starts with “${query.trim()}”. You can still type a full UPN.`
            : `${people.length} ${people.length === 1 ? "person" : "people"} found: use the down arrow to choose.`
          : "";

  return (
    <div className="relative">
      <input
        ref={inputRef}
        id={props.id}
        name={props.name}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={isExpanded}
        aria-controls={listId}
        aria-activedescendant={isExpanded && active >= 0 ? optionId(active) : undefined}
        aria-describedby={[props.describedBy, statusId].filter(Boolean).join(" ")}
        aria-invalid={props.invalid || undefined}
        autoComplete="off"
        spellCheck={false}
        className={props.className}
        value={value}
        onChange={(event) => {
          setValue(event.target.value);
          setQuery(event.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="People in the directory"
        hidden={!isExpanded}
        className="absolute left-0 right-0 z-30 mt-1 rounded-md border border-slate-300 bg-white py-1 shadow-lg"
      >
        {people.map((person, index) => (
          <li
            key={person.userPrincipalName}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            // mousedown, not click: a click would blur the field (closing the list) before it lands.
            onMouseDown={(event) => {
              event.preventDefault();
              pick(person);
            }}
            className={`cursor-pointer px-3 py-2 text-sm ${index === active ? "bg-brand-700 text-white" : "text-slate-900 hover:bg-slate-100"}`}
          >
            <span className="block font-medium">{person.displayName}</span>
            <span className={`block break-all text-xs ${index === active ? "text-white" : "text-slate-600"}`}>
              {person.userPrincipalName}
            </span>
          </li>
        ))}
      </ul>
      <p id={statusId} role="status" className="mt-1 text-xs text-slate-600">
        {status}
      </p>
    </div>
  );
}
