// Runs Kafka's own KerberosShortNamer (from the Kafka jars on the classpath) over the cases on stdin
// and prints what it answers, so the TypeScript port can be diffed against it.
//
// stdin:  [{"realm": "...", "rules": ["..."] or null, "principals": ["..."]}, ...]
// stdout: [{"parse": {"ok": true} | {"error": Class, "message": ...},
//           "results": [{"ok": shortName} | {"error": Class, "message": ...}, ...]}, ...]
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.security.kerberos.KerberosName;
import org.apache.kafka.common.security.kerberos.KerberosShortNamer;

public class KerberosShortNamerCheck {
    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode cases = mapper.readTree(System.in);
        ArrayNode out = mapper.createArrayNode();
        for (JsonNode c : cases) {
            ObjectNode answer = out.addObject();
            List<String> rules = null;
            if (!c.get("rules").isNull()) {
                rules = new ArrayList<>();
                for (JsonNode r : c.get("rules")) rules.add(r.asText());
            }
            KerberosShortNamer namer;
            try {
                namer = KerberosShortNamer.fromUnparsedRules(c.get("realm").asText(), rules);
                answer.putObject("parse").put("ok", true);
            } catch (Exception e) {
                error(answer.putObject("parse"), e);
                continue;
            }
            ArrayNode results = answer.putArray("results");
            for (JsonNode p : c.get("principals")) {
                ObjectNode result = results.addObject();
                try {
                    result.put("ok", namer.shortName(KerberosName.parse(p.asText())));
                } catch (Exception e) {
                    error(result, e);
                }
            }
        }
        System.out.println(mapper.writeValueAsString(out));
    }

    private static void error(ObjectNode node, Exception e) {
        node.put("error", e.getClass().getSimpleName());
        node.put("message", e.getMessage());
    }
}
