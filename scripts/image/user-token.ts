/* Prints a delegated access token for the app's API, for the demo user named on the command line,
 * signed in through the emulator as a CLI would be. Run by the image test in a child process with the
 * test stack's environment, so that the test itself never loads the app's configuration. */
import { userAccessToken } from "../../test/support/api";

process.stdout.write(await userAccessToken(process.argv[2] ?? "n01@contoso.com"));
