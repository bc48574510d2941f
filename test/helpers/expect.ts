/** Assertion helpers shared by the tests. */
import { expect } from 'chai';
import { InvalidArgumentError } from '../../src/errors.js';

/** Awaits a promise that must reject with an error of `type`, and returns that error. */
export async function expectRejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(type);
    return error as T;
  }
  throw new Error('expected a rejection');
}

/** Runs `fn`, expecting an InvalidArgumentError (exit code 2) with this code and target; returns its message. */
export function expectInvalidArgument(fn: () => unknown, code: string, target: string): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an InvalidArgumentError').to.be.instanceOf(InvalidArgumentError);
  const error = caught as InvalidArgumentError;
  expect(error.code, error.message).to.equal(code);
  expect(error.target, error.message).to.equal(target);
  expect(error.exitCode).to.equal(2);
  return error.message;
}
