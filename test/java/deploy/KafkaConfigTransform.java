import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Scanner;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;

/**
 * Kafka's own ConfigTransformer with its EnvVarConfigProvider ("env") and DirectoryConfigProvider
 * ("dir"), the reference test/unit/deploy/config-references.test.ts compares
 * config/references.ts with. Reads one value per line on stdin ("v" + base64) and prints each
 * transformed value the same way, in order.
 */
public class KafkaConfigTransform {
  public static void main(String[] args) throws Exception {
    ConfigProvider env = new EnvVarConfigProvider();
    env.configure(Map.of());
    ConfigProvider dir = new DirectoryConfigProvider();
    dir.configure(Map.of());
    ConfigTransformer transformer = new ConfigTransformer(Map.of("env", env, "dir", dir));
    Map<String, String> configs = new LinkedHashMap<>();
    Scanner in = new Scanner(System.in, StandardCharsets.UTF_8);
    int n = 0;
    while (in.hasNextLine()) {
      String line = in.nextLine();
      // Each line is "v" + base64, so an empty value is not an empty line.
      configs.put("k" + n++, new String(Base64.getDecoder().decode(line.substring(1)), StandardCharsets.UTF_8));
    }
    Map<String, String> out = transformer.transform(configs).data();
    for (int i = 0; i < n; i++) {
      System.out.println("v" + Base64.getEncoder().encodeToString(out.get("k" + i).getBytes(StandardCharsets.UTF_8)));
    }
  }
}
