const KEY = "switchyard.adminToken";

/**
 * The admin token lives in sessionStorage: it survives a reload of the tab, is gone when the tab
 * closes, and is never shared with other tabs or written to disk by the console.
 */
export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  signIn: (token: string) => sessionStorage.setItem(KEY, token),
  signOut: () => sessionStorage.removeItem(KEY),
};
