/**
 * Errors of the Microsoft Update Catalog support. Only the error page has its own class: the
 * catalog's code decides whether a retry can help, which the HTTP client and the import flow
 * branch on.
 */
import { UpstreamError } from '../errors.js';

/** The catalog code for "the update does not exist" (retrying cannot help). */
export const catalogNotFoundCode = '8DDD0024';

/**
 * The catalog answered with its error page (`#errorPageDisplayedError`). `catalogCode` is the
 * number it shows (e.g. `8DDD0010`); every code but "not found" is treated as transient, since
 * the catalog shows most of them intermittently and asks the user to try again later.
 */
export class CatalogPageError extends UpstreamError {
  readonly catalogCode: string;

  constructor(catalogCode: string, source: string) {
    const notFound = catalogCode === catalogNotFoundCode;
    super(
      notFound ? 'CatalogNotFound' : 'CatalogErrorPage',
      notFound
        ? `The Microsoft Update Catalog has no such update (error ${catalogCode} on ${source})`
        : `The Microsoft Update Catalog answered ${source} with its error page (error ${catalogCode}); try again later`,
      {
        target: source,
        transient: !notFound,
        category: notFound ? 'ObjectNotFound' : 'ResourceUnavailable',
        data: { catalogCode },
      },
    );
    this.catalogCode = catalogCode;
  }
}
