package dev.gantry.catalog;

/**
 * The catalog database could not be reached or failed a statement. Not an {@code
 * ApplicationFailure}: Temporal retries it with the activity's backoff, and the cause travels
 * with it.
 */
public class CatalogUnavailableException extends RuntimeException {
  public CatalogUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
