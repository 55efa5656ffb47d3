package dev.gantry.evidence;

/**
 * A gate's verdict. {@link #MISSING} fails closed like {@link #FAIL}; it differs only in that a
 * release may wait a while for CI to upload what is missing, while a failing document refuses at once.
 */
public enum Outcome {
  PASS,
  FAIL,
  MISSING
}
