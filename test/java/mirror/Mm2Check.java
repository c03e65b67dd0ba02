// Reads kgw's MM2-format topics with Apache Kafka's own connect-mirror-client and prints what it sees,
// one JSON-ish line per fact, for test/integration/mirror to assert on.
//   java -cp <libs>/*:<classes> Mm2Check <bootstrap> <remoteAlias> <group>[,<group>…]
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.MirrorClient;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;

public class Mm2Check {
    public static void main(String[] args) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", args[0]);
        String remote = args[1];
        for (String group : args[2].split(",")) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                RemoteClusterUtils.translateOffsets(props, remote, group, Duration.ofSeconds(20));
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                System.out.println("checkpoint " + group + " " + e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue().offset());
            }
        }
        try (MirrorClient client = new MirrorClient(props)) {
            System.out.println("heartbeatTopics " + client.heartbeatTopics());
            System.out.println("upstreamClusters " + client.upstreamClusters());
            System.out.println("replicationHops " + client.replicationHops(remote));
            System.out.println("checkpointTopics " + client.checkpointTopics());
        }
    }
}
