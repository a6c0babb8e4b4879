// Kafka readiness probe used by infra/scripts/services.sh.
//
// In ONE JVM (starting a JVM costs ~1 s here, the CLI route needs three):
//   1. creates topic <topic> (1 partition, RF 1) unless it exists,
//   2. produces a unique message and waits for the ack,
//   3. reads that exact offset back with an assigned (group-less) consumer.
// Exit 0 when the message round-trips, 1 otherwise. Retries until the deadline
// so it can be started while the broker is still booting.
//
// Usage: java -cp "<kafka-libs>/*" ReadyProbe.java <bootstrap> [topic] [deadlineSeconds]
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.*;

public class ReadyProbe {
  public static void main(String[] args) throws Exception {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:59092";
    String topic = args.length > 1 ? args[1] : "__tongban_ready";
    long deadline = System.currentTimeMillis() + 1000L * (args.length > 2 ? Long.parseLong(args[2]) : 60);
    Exception last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        roundTrip(bootstrap, topic, deadline);
        return;
      } catch (Exception e) {
        last = e;
        Thread.sleep(300);
      }
    }
    System.err.println("kafka not ready: " + last);
    System.exit(1);
  }

  static int remainingMs(long deadline) {
    return (int) Math.max(1000, Math.min(Integer.MAX_VALUE, deadline - System.currentTimeMillis()));
  }

  static void roundTrip(String bootstrap, String topic, long deadline) throws Exception {
    int timeout = remainingMs(deadline);
    Properties common = new Properties();
    common.put("bootstrap.servers", bootstrap);
    common.put("request.timeout.ms", Math.min(timeout, 10000));
    common.put("default.api.timeout.ms", timeout);
    // The probe starts while the broker boots: retry fast instead of the 1 s default max backoff.
    common.put("reconnect.backoff.ms", 50);
    common.put("reconnect.backoff.max.ms", 100);
    common.put("retry.backoff.ms", 50);
    common.put("retry.backoff.max.ms", 100);

    Properties ap = new Properties();
    ap.putAll(common);
    try (Admin admin = Admin.create(ap)) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
      }
    }

    String payload = "ready-" + UUID.randomUUID();
    long offset;
    Properties pp = new Properties();
    pp.putAll(common);
    pp.put("acks", "all");
    pp.put("delivery.timeout.ms", Math.max(timeout, 11000));
    pp.put("max.block.ms", timeout);
    pp.put("linger.ms", 0);
    try (Producer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
      offset = producer.send(new ProducerRecord<>(topic, 0, null, payload)).get().offset();
    }

    Properties cp = new Properties();
    cp.putAll(common);
    cp.put("enable.auto.commit", "false");
    try (Consumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (payload.equals(r.value())) {
            System.out.println("kafka round-trip ok: topic=" + topic + " offset=" + r.offset());
            return;
          }
        }
      }
    }
    throw new IllegalStateException("message " + payload + " not read back before deadline");
  }
}
