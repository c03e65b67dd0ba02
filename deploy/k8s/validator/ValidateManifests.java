import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;

/**
 * Checks Kubernetes objects against the official Kubernetes Java model (client-java-api, generated
 * from the Kubernetes OpenAPI specification): every field must exist in its type (unknown fields
 * are errors, as `kubectl apply --validate=strict` makes them), required fields must be present,
 * and the object must deserialise into the typed model (numbers are numbers, lists are lists).
 *
 * stdin: a JSON array of objects (the documents `kubectl kustomize` prints). stdout: one line per
 * object, "OK Kind/name" or "ERROR Kind/name: reason". Exit status 1 when any object is invalid.
 */
public class ValidateManifests {
  public static void main(String[] args) throws Exception {
    JsonArray docs = JsonParser.parseReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).getAsJsonArray();
    Class<?> json = Class.forName("io.kubernetes.client.openapi.JSON");
    Object gson = json.getMethod("getGson").invoke(null);
    boolean failed = false;
    for (JsonElement doc : docs) {
      JsonObject o = doc.getAsJsonObject();
      String apiVersion = o.has("apiVersion") ? o.get("apiVersion").getAsString() : "";
      String kind = o.has("kind") ? o.get("kind").getAsString() : "";
      String name = o.has("metadata") && o.getAsJsonObject("metadata").has("name")
          ? o.getAsJsonObject("metadata").get("name").getAsString() : "?";
      String id = kind + "/" + name;
      try {
        String version = apiVersion.substring(apiVersion.lastIndexOf('/') + 1);
        Class<?> model = Class.forName("io.kubernetes.client.openapi.models."
            + Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind);
        model.getMethod("validateJsonElement", JsonElement.class).invoke(null, o);
        ((com.google.gson.Gson) gson).fromJson(o, model);
        System.out.println("OK " + id);
      } catch (ClassNotFoundException | StringIndexOutOfBoundsException e) {
        failed = true;
        System.out.println("ERROR " + id + ": no type " + kind + " in " + apiVersion + " in the Kubernetes model");
      } catch (InvocationTargetException e) {
        failed = true;
        System.out.println("ERROR " + id + ": " + e.getCause().getMessage());
      } catch (RuntimeException e) {
        failed = true;
        System.out.println("ERROR " + id + ": " + e.getMessage());
      }
    }
    System.exit(failed ? 1 : 0);
  }
}
