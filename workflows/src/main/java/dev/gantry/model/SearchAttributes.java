package dev.gantry.model;

import io.temporal.common.SearchAttributeKey;
import java.util.Map;

/** The search attributes Gantry's workflows upsert; registered on start in every mode. */
public final class SearchAttributes {
  private SearchAttributes() {}

  public static final SearchAttributeKey<String> SERVICE = SearchAttributeKey.forKeyword("GantryService");
  public static final SearchAttributeKey<String> COMMIT = SearchAttributeKey.forKeyword("GantryCommit");
  public static final SearchAttributeKey<String> DIGEST = SearchAttributeKey.forKeyword("GantryDigest");
  public static final SearchAttributeKey<String> ENVIRONMENT = SearchAttributeKey.forKeyword("GantryEnvironment");
  public static final SearchAttributeKey<String> STATUS = SearchAttributeKey.forKeyword("GantryStatus");

  public static final Map<String, io.temporal.api.enums.v1.IndexedValueType> ALL =
      Map.of(
          SERVICE.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          COMMIT.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          DIGEST.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          ENVIRONMENT.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          STATUS.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
}
