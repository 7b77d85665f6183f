/** Written by the build (system/copy-assets.mjs) once everything is in dist/. */
export declare const buildStamp: string;
/** Why dist/ cannot be used as it is; undefined when it is up to date. */
export declare function staleBuildReason(repoRoot: string): string | undefined;
