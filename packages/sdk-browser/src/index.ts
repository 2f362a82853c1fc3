// The browser SDK arrives with the live-flags issue (#3); this package is a placeholder so the workspace has its final shape.
export {};
