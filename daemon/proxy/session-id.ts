/** Session ids for the runtime API (`show sess`, `shutdown session`): unique for the life of the process, TCP and HTTP alike. */
let last = 0;

export function nextSessionId(): number {
  return ++last;
}
