/** The `quickeats` process: run one command with the real terminal and environment. */
import { run } from './cli';

const code = await run(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
// Exit once the output is written, rather than when nothing is left on the event loop: a follow
// ends by cancelling its event stream, and a connection the runtime has not closed yet must not
// keep a finished command running.
process.stdout.write('', () => process.exit(code));
