package dev.gantry.registry;

import dev.gantry.model.ImageRef;
import java.util.Objects;

/**
 * Resolves tags and checks digests in OCI distribution registries and OCI image layout
 * directories. The allow-list is checked before anything is sent or read.
 */
public class RegistryActivitiesImpl implements RegistryActivities {
  private final RegistrySettings settings;
  private final Registry distribution;
  private final Registry layout;

  public RegistryActivitiesImpl(RegistrySettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.distribution = new DistributionRegistry(new RegistryHttp(settings));
    this.layout = new LayoutRegistry();
  }

  @Override
  public String resolve(ImageRef ref) {
    return registryFor(ref).resolve(ref);
  }

  @Override
  public boolean exists(ImageRef ref) {
    return registryFor(ref).exists(ref);
  }

  private Registry registryFor(ImageRef ref) {
    Objects.requireNonNull(ref, "ref");
    if (!settings.isAllowed(ref)) {
      throw RegistryFailures.notAllowed(ref.registry(), settings.allowed());
    }
    References.validate(ref);
    return ref.layout() ? layout : distribution;
  }
}
