/** Assertion helpers shared by the tests. */
import { expect } from 'chai';

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
