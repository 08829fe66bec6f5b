/** Whether dist/ can be used: fresh, or stale with the reason (a missing entry, or an input changed after the build). */
export declare function distState(): { readonly fresh: true } | { readonly fresh: false; readonly reason: string };
