// Prints Kafka's AclEntry.supportedOperations for every concrete resource type as JSON
// {"TOPIC": ["READ", …], …}, for test/unit/cli/acl-supported-operations.test.ts to compare with
// the table `kgw acls` checks --operation against. Run with Kafka's jars on the class path.
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.security.authorizer.AclEntry;

public class AclSupportedOperations {
  public static void main(String[] args) {
    List<String> entries = new ArrayList<>();
    for (ResourceType type : ResourceType.values()) {
      if (type == ResourceType.ANY || type == ResourceType.UNKNOWN) continue;
      String ops =
          AclEntry.supportedOperations(type).stream()
              .map(AclOperation::name)
              .sorted()
              .map(n -> "\"" + n + "\"")
              .collect(Collectors.joining(","));
      entries.add("\"" + type.name() + "\":[" + ops + "]");
    }
    System.out.println("{" + String.join(",", entries) + "}");
  }
}
