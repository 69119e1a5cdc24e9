// Stand-in for the element-waiting library behind WXT's `autoMount`. Portrait's overlays mount
// themselves when the page watcher finds participants, so autoMount is never used; aliasing the
// library to this stub keeps its code out of the content scripts (the size budget: extension/README.md, "Budgets").
function unused(): never {
  throw new Error('autoMount is not used by Portrait content scripts');
}

export const waitElement = unused;
export const isExist = unused;
export const isNotExist = unused;
