import { useRef } from "preact/hooks";

/**
 * Runs `fn` at most once per `ms`: the first call at once, calls during the wait collapsed into
 * one at its end. Live pages refetch their details on server-sent events with this, so a job
 * finishing 1,000 records a second costs one request per interval, not one per event.
 */
export function throttle(fn: () => void, ms: number): { call: () => void; cancel: () => void } {
  let last = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    call() {
      if (timer) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) {
        last = Date.now();
        fn();
        return;
      }
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** The latest value of `value`, for callbacks that outlive a render. */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
