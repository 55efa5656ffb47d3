package dev.gantry.registry;

import dev.gantry.model.ImageRef;

/** One kind of registry. The caller has checked the allow-list and the reference syntax. */
interface Registry {
  /** The manifest digest a tag names, or the digest itself once it is known to be present. */
  String resolve(ImageRef ref);

  /** Whether the manifest (digest) or tag is present; false instead of a not-found failure. */
  boolean exists(ImageRef ref);
}
