/**
 * "Are you sure?" for a destructive action, with a reason: a short list plus free text. A native
 * modal <dialog> (focus trapped, Esc closes, focus returns to the button that opened it).
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';

export interface ReasonDialogProps {
  open: boolean;
  title: string;
  reasons: readonly string[];
  confirmLabel: string;
  cancelLabel: string;
  onConfirm(reason: string): void;
  onClose(): void;
}

export function ReasonDialog({
  open,
  title,
  reasons,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onClose,
}: ReasonDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [choice, setChoice] = useState(reasons[0] ?? '');
  const [details, setDetails] = useState('');

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  function submit(event: FormEvent) {
    event.preventDefault();
    onConfirm(details.trim() ? `${choice}: ${details.trim()}` : choice);
  }

  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby={`${id}-title`} data-testid="reason-dialog">
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>{title}</h2>
        <fieldset>
          <legend>Reason</legend>
          {reasons.map((reason) => (
            <label key={reason} className="radio">
              <input
                type="radio"
                name="reason"
                value={reason}
                checked={choice === reason}
                onChange={() => setChoice(reason)}
              />
              {reason}
            </label>
          ))}
        </fieldset>
        <label>
          Details (optional)
          <textarea
            name="details"
            rows={2}
            maxLength={400}
            value={details}
            onChange={(e) => setDetails(e.target.value)}
          />
        </label>
        <div className="dialog-actions">
          <button type="button" onClick={onClose} data-testid="dialog-dismiss">
            {cancelLabel}
          </button>
          <button type="submit" className="danger-solid" data-testid="dialog-confirm">
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
