package dev.gantry.release;

/** The update sent with every start: answers once the tag resolved, or refuses a digest conflict. */
public record Registration(String tag, String by) {}
