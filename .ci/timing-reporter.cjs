/**
 * A mocha reporter (dots on the terminal) that writes where the suite's time goes to TIMING_OUT
 * (default test-timing.json): wall and CPU time per file, including its hooks and the child
 * processes it waited for (Linux /proc), and each test's duration. `npx mocha --reporter .ci/timing-reporter.cjs`.
 * Per-file times need `--no-parallel`: in parallel mode a worker's events arrive all at once when its
 * file ends, so only the whole run's time and each test's duration are right.
 */
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require(require.resolve('mocha', { paths: [process.cwd()] }));

const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

/** CPU milliseconds of this process plus its reaped children (children only where /proc exists). */
function cpuMs() {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    children = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // cutime + cstime, in USER_HZ (100)
  } catch {}
  return (own.user + own.system) / 1000 + children;
}
const now = () => Number(process.hrtime.bigint()) / 1e6;

class TimingReporter extends Mocha.reporters.Dot {
  constructor(runner, options) {
    super(runner, options);
    const files = {};
    const tests = [];
    const failures = [];
    let started;
    let startCpu;
    runner.on(EVENT_RUN_BEGIN, () => {
      started = now();
      startCpu = cpuMs();
    });
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (!suite.file || !suite.parent || !suite.parent.root) return;
      suite.timingStart = [now(), cpuMs()];
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      if (!suite.timingStart) return;
      const file = (files[path.relative(process.cwd(), suite.file)] ??= { wallMs: 0, cpuMs: 0 });
      file.wallMs += now() - suite.timingStart[0];
      file.cpuMs += cpuMs() - suite.timingStart[1];
    });
    const record = (test, state) => tests.push({ file: test.file && path.relative(process.cwd(), test.file), title: test.fullTitle(), ms: test.duration, state });
    runner.on(EVENT_TEST_PASS, (test) => record(test, 'passed'));
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      record(test, 'failed');
      failures.push({ title: test.fullTitle(), file: test.file, error: String((error && error.stack) || error).slice(0, 4000) });
    });
    runner.once(EVENT_RUN_END, () => {
      const out = process.env.TIMING_OUT || 'test-timing.json';
      fs.writeFileSync(out, JSON.stringify({ wallMs: now() - started, cpuMs: cpuMs() - startCpu, files, tests, failures }, null, 1));
    });
  }
}
module.exports = TimingReporter;
