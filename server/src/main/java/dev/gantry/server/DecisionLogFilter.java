package dev.gantry.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.gantry.model.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The Temporal SDK logs every failed activity attempt and every failed workflow or update handler
 * at WARN with the failure's stack. When the failure is one of Gantry's own typed, non-retryable
 * decisions (a tag that does not exist, a commit already released as another digest, a release
 * that did not turn live), the stack only shows where Gantry said no, so it hides the faults that
 * deserve one. This filter turns such an event into one line (what, type, reason) and lets
 * everything else through untouched, stack and all. A refusal the caller is answered with (tag not
 * found, digest conflict, not an approver…) becomes a DEBUG line: the API logs it at INFO with who
 * asked, and the workflow logs what it refused. An outcome an operator must see (not live,
 * unhealthy, the GitOps repository refusing, registry credentials refused, a rollback target that
 * no longer verifies) stays at WARN, on one line.
 *
 * <p>Installed once logging is configured ({@link ApplicationPreparedEvent}), because Spring Boot
 * resets Logback while it configures it.
 */
public final class DecisionLogFilter extends TurboFilter {

  /** Where the one-line replacements go. */
  static final String LOGGER = "dev.gantry.decisions";

  /** Gantry's failure types, except the one that means a peer stayed away: that is a fault. */
  static final Set<String> DECISIONS = decisionTypes();

  /** Decisions an operator must see: they stay at WARN. */
  static final Set<String> AT_WARN = Set.of(FailureTypes.NOT_LIVE, FailureTypes.UNHEALTHY, FailureTypes.REGISTRY_AUTH,
      FailureTypes.ROLLBACK_REFUSED, FailureTypes.GITOPS_FILE_NOT_FOUND, FailureTypes.GITOPS_PATH_NOT_FOUND,
      FailureTypes.GITOPS_UNSUPPORTED, FailureTypes.GITOPS_PUSH_CONFLICT);

  private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || inside.get() || !level.isGreaterOrEqual(Level.WARN) || !fromSdk(logger.getName(), format)) {
      return FilterReply.NEUTRAL;
    }
    Throwable thrown = t != null ? t : lastThrowable(params);
    ApplicationFailure decision = decision(thrown);
    if (decision == null) {
      return FilterReply.NEUTRAL;
    }
    inside.set(true);
    try {
      String what = MessageFormatter.basicArrayFormat(format, withoutThrowable(params));
      Logger out = logger.getLoggerContext().getLogger(LOGGER);
      String line = (what.endsWith(".") ? what.substring(0, what.length() - 1) : what)
          + " " + decision.getType() + ": " + oneLine(decision.getOriginalMessage());
      if (AT_WARN.contains(decision.getType())) {
        out.warn(line);
      } else {
        out.debug(line);
      }
    } finally {
      inside.set(false);
    }
    return FilterReply.DENY;
  }

  static boolean fromSdk(String logger, String format) {
    return logger.startsWith("io.temporal.internal.")
        && (format.startsWith("Workflow execution failure") || format.startsWith("Activity failure")
            // ActivityTaskExecutors (SDK 1.39): "{} failure. ActivityId={}, activityType={}, attempt={}"
            || format.startsWith("{} failure. ActivityId="));
  }

  /** The first application failure in the chain, when it is one of Gantry's non-retryable decisions. */
  static ApplicationFailure decision(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ApplicationFailure af) {
        return af.isNonRetryable() && DECISIONS.contains(af.getType()) ? af : null;
      }
    }
    return null;
  }

  private static Throwable lastThrowable(Object[] params) {
    return params != null && params.length > 0 && params[params.length - 1] instanceof Throwable th ? th : null;
  }

  private static Object[] withoutThrowable(Object[] params) {
    if (lastThrowable(params) == null) {
      return params;
    }
    Object[] p = new Object[params.length - 1];
    System.arraycopy(params, 0, p, 0, p.length);
    return p;
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String flat = s.replaceAll("\\p{Cntrl}+", " ");
    return flat.length() > 500 ? flat.substring(0, 500) + "…" : flat;
  }

  private static Set<String> decisionTypes() {
    Set<String> types = new HashSet<>();
    for (Field f : FailureTypes.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        try {
          types.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    types.remove(FailureTypes.REGISTRY_UNAVAILABLE);
    return Set.copyOf(types);
  }

  /** Adds the filter to Logback once Spring Boot has configured it. */
  public static final class Installer implements ApplicationListener<ApplicationPreparedEvent> {
    @Override
    public void onApplicationEvent(ApplicationPreparedEvent event) {
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
          && context.getTurboFilterList().stream().noneMatch(DecisionLogFilter.class::isInstance)) {
        DecisionLogFilter filter = new DecisionLogFilter();
        filter.setName("gantry-decisions");
        filter.start();
        context.addTurboFilter(filter);
      }
    }
  }
}
