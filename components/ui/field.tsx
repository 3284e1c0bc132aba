import type { ReactNode } from "react";

/** A form control's box; a control marked aria-invalid gets a red border. */
export const CONTROL =
  "mt-1 block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600";
export const LABEL = "block text-sm font-semibold text-slate-800";

/** What a control needs to be tied to its label, hint and error. */
export interface ControlProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}

/**
 * A field's error, `id` for the control's aria-describedby. `isAlert` when it is the form's only word
 * about what went wrong; a form that sums its errors up in its own alert leaves it off.
 */
export function FieldError({ id, message, isAlert }: { id: string; message?: string; isAlert?: boolean }) {
  if (!message) return null;
  return (
    <p id={id} role={isAlert ? "alert" : undefined} className="mt-1 text-sm font-medium text-red-700">
      {message}
    </p>
  );
}

/**
 * A label, its control, a hint and the field's error: the control (rendered by `children` with the
 * props given) is described by the hint (`<id>-hint`) and the error (`<id>-error`).
 */
export function Field(props: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  isAlert?: boolean;
  children: (control: ControlProps) => ReactNode;
}) {
  const { id, hint, error } = props;
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id} className={LABEL}>
        {props.label}
      </label>
      {props.children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy || undefined })}
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} isAlert={props.isAlert} />
    </div>
  );
}
