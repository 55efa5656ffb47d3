package dev.gantry.release;

import java.util.List;

/**
 * An approval or a rejection for one environment.
 *
 * @param by the deciding principal; the API takes it from the authenticated user, never the body
 * @param groups the principal's groups as the API authenticated them; null for a plain signal, in
 *     which case membership is checked against the environment's configured approvers
 * @param comment free text; for a rejection, the reason
 */
public record Decision(String environment, String by, List<String> groups, String comment) {}
