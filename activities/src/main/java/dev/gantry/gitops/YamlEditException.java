package dev.gantry.gitops;

/** The YAML edit was refused; nothing was changed. */
public final class YamlEditException extends RuntimeException {

  /** Why the edit was refused. */
  public enum Kind {
    /** The path does not lead to anything in the file. */
    PATH_NOT_FOUND,
    /** The path leads somewhere Gantry will not edit without risking other bytes or meanings. */
    UNSUPPORTED
  }

  private final Kind kind;

  public YamlEditException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public YamlEditException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
