// Small facts read straight from a .kon text, for the pickers, so that they work even while the
// server is busy or down. The server stays the authority on meaning; these are only choices.

const COMMENT = /#[^\n]*/g;
const STRING = /"([^"\\\n]|\\[^\n])*"/g;

/** The environments declared in the text, in order of appearance, without duplicates. */
export function environmentNames(text: string): string[] {
  const code = text.replace(STRING, (match) => " ".repeat(match.length)).replace(COMMENT, "");
  const names: string[] = [];
  for (const match of code.matchAll(/(?<![\w-])environment\s+([A-Za-z_][A-Za-z0-9_-]*)/g)) {
    if (!names.includes(match[1])) names.push(match[1]);
  }
  return names;
}

/** Runs `action` once calls have stopped for `milliseconds`; `cancel` drops a pending call. */
export function debounce<Arguments extends unknown[]>(
  action: (...args: Arguments) => void,
  milliseconds: () => number,
): { call: (...args: Arguments) => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    call: (...args: Arguments) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        action(...args);
      }, milliseconds());
    },
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
