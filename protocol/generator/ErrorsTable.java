// Prints Kafka's error table, one line per org.apache.kafka.common.protocol.Errors constant:
// code, name, retriable, invalid-metadata, default message (tab-separated). Run by errors.ts with the
// kafka-clients jar on the class path (`java -cp ... ErrorsTable.java`, no compile step).
import org.apache.kafka.common.errors.InvalidMetadataException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public class ErrorsTable {
  public static void main(String[] args) {
    for (Errors e : Errors.values()) {
      Throwable ex = e.exception();
      String message = ex == null ? "" : e.message().replace('\t', ' ').replace('\n', ' ');
      System.out.println(String.join("\t",
          Short.toString(e.code()),
          e.name(),
          Boolean.toString(ex instanceof RetriableException),
          Boolean.toString(ex instanceof InvalidMetadataException),
          message));
    }
  }
}
