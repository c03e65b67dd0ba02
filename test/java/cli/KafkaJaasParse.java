import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Scanner;
import javax.security.auth.login.AppConfigurationEntry;
import java.util.List;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * Kafka's own sasl.jaas.config parser (JaasContext.loadClientContext over JaasConfig), the reference
 * test/unit/cli/jaas-config.test.ts compares client/client-properties.ts's parseJaasConfig
 * with. Reads one JAAS text per line on stdin ("v" + base64) and prints, per input, either
 * "e" (Kafka refuses it) or "m" + base64(module) followed by one "o" + base64(key) + " " +
 * base64(value) line per option and a closing "." line.
 */
public class KafkaJaasParse {
  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  public static void main(String[] args) {
    Scanner in = new Scanner(System.in, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    while (in.hasNextLine()) {
      String text = new String(Base64.getDecoder().decode(in.nextLine().substring(1)), StandardCharsets.UTF_8);
      try {
        List<AppConfigurationEntry> entries =
            JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(text))).configurationEntries();
        if (entries.size() != 1) {
          out.append("e\n");
          continue;
        }
        out.append("m").append(b64(entries.get(0).getLoginModuleName())).append('\n');
        for (Map.Entry<String, ?> o : entries.get(0).getOptions().entrySet())
          out.append("o").append(b64(o.getKey())).append(' ').append(b64(String.valueOf(o.getValue()))).append('\n');
        out.append(".\n");
      } catch (Exception e) {
        out.append("e\n");
      }
    }
    System.out.print(out);
  }
}
