package dev.gantry.evidence;

import java.util.function.Consumer;

/**
 * How an uploaded record of one type is judged on arrival: with the parser of the gate that reads
 * it, so a bad upload is refused at once. Each gate package offers the checks for what it reads;
 * the API's wiring lists them for {@link EvidenceUploads}.
 */
public interface EvidenceCheck {

  EvidenceType type();

  /** @throws EvidenceException why the document cannot be used */
  void check(EvidenceDocument document);

  static EvidenceCheck of(EvidenceType type, Consumer<EvidenceDocument> check) {
    return new EvidenceCheck() {
      @Override
      public EvidenceType type() {
        return type;
      }

      @Override
      public void check(EvidenceDocument document) {
        check.accept(document);
      }

      @Override
      public String toString() {
        return "EvidenceCheck[" + type + "]";
      }
    };
  }
}
