// When the server is wanted: a Dockerfile is open, or the workspace holds
// one (what the `workspaceContains` activation events say). The extension
// can also be activated by one of its commands (Show Output) in a folder
// without Dockerfiles; that alone starts nothing. Pure, so it is tested
// without VS Code (against package.json's activation events).

export const LANGUAGE = 'dockerfile';

/** The file names of package.json's `workspaceContains` events, as one glob for `workspace.findFiles`. */
export const DOCKERFILE_GLOB =
  '{**/Dockerfile,**/Containerfile,**/Dockerfile.*,**/Containerfile.*,**/*.dockerfile,**/*.Dockerfile,**/*.containerfile}';

/** Runs `start` the first time `want` is called; later calls do nothing (a crash is not restarted by opening a file). */
export class StartOnce {
  private wanted = false;

  constructor(private readonly start: () => void) {}

  get started(): boolean {
    return this.wanted;
  }

  /** The server is wanted: start it unless that was done already. */
  want(): void {
    if (!this.wanted) {
      this.wanted = true;
      this.start();
    }
  }

  /** Started some other way (Restart Server). */
  markStarted(): void {
    this.wanted = true;
  }
}
