package dev.gantry.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.signing.KmsKeyUri.Kind;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** cosign's awskms:// key URIs (sigstore pkg/signature/kms/aws), and what KmsSigner makes of their endpoint and Region. */
class KmsKeyUriTest {
  private static final String ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      awskms:///1234abcd-12ab-34cd-56ef-1234567890ab                                        | -              | 1234abcd-12ab-34cd-56ef-1234567890ab                                         | KEY_ID     | -
      awskms://localhost:4566/1234abcd-12ab-34cd-56ef-1234567890ab                          | localhost:4566 | 1234abcd-12ab-34cd-56ef-1234567890ab                                         | KEY_ID     | -
      awskms:///mrk-1234abcd12ab34cd56ef1234567890ab                                        | -              | mrk-1234abcd12ab34cd56ef1234567890ab                                         | KEY_ID     | -
      awskms:///arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab | -              | arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab  | KEY_ARN    | us-east-2
      awskms://kms.internal:443/arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab | kms.internal:443 | arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab | KEY_ARN | us-gov-west-1
      awskms:///alias/ExampleAlias                                                          | -              | alias/ExampleAlias                                                           | ALIAS_NAME | -
      awskms://localhost:4566/alias/team/gantry_prod-1                                      | localhost:4566 | alias/team/gantry_prod-1                                                     | ALIAS_NAME | -
      awskms:///arn:aws:kms:eu-west-1:111122223333:alias/ExampleAlias                       | -              | arn:aws:kms:eu-west-1:111122223333:alias/ExampleAlias                        | ALIAS_ARN  | eu-west-1
      awskms://[::1]:4566/alias/gantry                                                      | [::1]:4566     | alias/gantry                                                                 | ALIAS_NAME | -
      """)
  void readsCosignsForms(String uri, String endpoint, String key, Kind kind, String region) {
    KmsKeyUri parsed = KmsKeyUri.parse(uri);
    assertThat(parsed).isEqualTo(new KmsKeyUri(endpoint, key, kind, region));
    assertThat(parsed.toString()).isEqualTo(uri);
    assertThat(KmsKeyUri.isKmsUri(uri)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      awskms://                                                                  | names no key after the endpoint
      awskms:///                                                                 | names no key
      awskms://localhost:4566/                                                   | names no key
      awskms://localhost:4566                                                    | names no key after the endpoint
      awskms:///not-a-key                                                        | 'not-a-key' is not a key id, ARN or alias
      awskms:///1234abcd-12ab-34cd-56ef-1234567890                               | is not a key id, ARN or alias
      awskms:///alias/                                                           | is not an alias name
      awskms:///alias/with space                                                 | is not an alias name
      awskms:///arn:aws:kms:us-east-1:1234:key/1234abcd-12ab-34cd-56ef-1234567890ab | is not a KMS key or alias ARN
      awskms:///arn:aws:s3:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab | is not a KMS key or alias ARN
      awskms:///arn:aws:kms:us-east-1:111122223333:secret/x                      | is not a KMS key or alias ARN
      awskms://user@host/alias/x                                                 | the endpoint 'user@host' is not HOST or HOST:PORT
      awskms://host:0/alias/x                                                    | the endpoint 'host:0' is not HOST or HOST:PORT
      awskms://host:70000/alias/x                                                | the endpoint 'host:70000' is not HOST or HOST:PORT
      awskms:///alias/x?region=eu-west-1                                         | is not an alias name
      gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k                    | (gcpkms:// keys are not supported)
      AWSKMS:///alias/x                                                          | is not an AWS KMS key URI
      awskms:/alias/x                                                            | is not an AWS KMS key URI
      """)
  void refusesMalformedUrisWithAReason(String uri, String reason) {
    assertThatThrownBy(() -> KmsKeyUri.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason)
        .hasMessageContaining("expected awskms:///KEY or awskms://HOST[:PORT]/KEY");
  }

  @Test
  void anEndpointInTheUriIsHttpsAsCosignSpeaksIt() {
    assertThat(KmsSigner.endpoint(KmsKeyUri.parse("awskms://kms.internal:8443/" + ID), null))
        .isEqualTo(URI.create("https://kms.internal:8443"));
    assertThat(KmsSigner.endpoint(KmsKeyUri.parse("awskms:///" + ID), null)).isNull();
    // an override is a full URL, so a local KMS can be plain http
    assertThat(KmsSigner.endpoint(KmsKeyUri.parse("awskms:///" + ID), "http://127.0.0.1:5000"))
        .isEqualTo(URI.create("http://127.0.0.1:5000"));
    assertThat(KmsSigner.endpoint(KmsKeyUri.parse("awskms://kms.internal:8443/" + ID), "https://kms.internal:8443"))
        .isEqualTo(URI.create("https://kms.internal:8443"));
  }

  @Test
  void refusesEndpointsThatAreNotUrlsOrContradictTheUri() {
    KmsKeyUri plain = KmsKeyUri.parse("awskms:///" + ID);
    assertThatThrownBy(() -> KmsSigner.endpoint(plain, "127.0.0.1:5000"))
        .hasMessageContaining("is not an http(s)://HOST[:PORT] URL");
    assertThatThrownBy(() -> KmsSigner.endpoint(plain, "ftp://kms.internal"))
        .hasMessageContaining("is not an http(s)://HOST[:PORT] URL");
    assertThatThrownBy(() -> KmsSigner.endpoint(KmsKeyUri.parse("awskms://kms.internal:8443/" + ID), "https://other:8443"))
        .hasMessageContaining("names the endpoint kms.internal:8443")
        .hasMessageContaining("give the endpoint in one place");
  }

  @Test
  void theRegionIsTheConfiguredOneOrTheArnsAndTheyMustAgree() {
    KmsKeyUri arn = KmsKeyUri.parse("awskms:///arn:aws:kms:eu-west-1:111122223333:key/" + ID);
    assertThat(KmsSigner.region(arn, null)).isEqualTo("eu-west-1");
    assertThat(KmsSigner.region(arn, "eu-west-1")).isEqualTo("eu-west-1");
    assertThat(KmsSigner.region(KmsKeyUri.parse("awskms:///alias/gantry"), "ap-south-1")).isEqualTo("ap-south-1");
    assertThatThrownBy(() -> KmsSigner.region(arn, "us-east-1"))
        .hasMessageContaining("is in eu-west-1 but the KMS region is configured as us-east-1");
  }
}
