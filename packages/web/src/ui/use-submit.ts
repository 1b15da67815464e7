/**
 * The busy/error bookkeeping every form and confirm button shares.
 *
 * `submit` (optionally given the form's submit event, whose default it prevents) marks the
 * action busy, clears the previous error, awaits `run`, and if `run` throws shows
 * `toErrorText(err)` instead; busy is cleared either way. What happens on success (close the
 * dialog, show a notice, navigate) is `run`'s business, and `run` sees the state of the render
 * whose `submit` was called, exactly like a handler written inline.
 *
 *   const { busy, error, submit } = useSubmit(async () => {
 *     onSaved((await app.client.thing.save(body)).thing);
 *   }, (err) => errorText(err, i18n));
 *   <form onSubmit={submit}>…<Button type="submit" busy={busy} /></form>
 *
 * `setError` is the same error state, for messages that do not come from `run` (a failed
 * load, a client-side check, dismissing the message).
 */
import { useState, type Dispatch, type FormEvent, type SetStateAction } from 'react';

export interface Submit {
  /** True while `run` is in flight. */
  busy: boolean;
  /** The last failure, in the user's language; null when there is none. */
  error: string | null;
  setError: Dispatch<SetStateAction<string | null>>;
  /** Runs the action; pass the form event when used as `onSubmit`. Never rejects. */
  submit(e?: FormEvent): Promise<void>;
}

export function useSubmit(run: () => Promise<unknown>, toErrorText: (err: unknown) => string): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(toErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}
