package dev.clearance.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.openfga.language.DslToJsonTransformer;
import dev.openfga.sdk.api.OpenFgaApi;
import dev.openfga.sdk.api.client.ApiClient;
import dev.openfga.sdk.api.model.AuthorizationModel;
import dev.openfga.sdk.api.model.WriteAuthorizationModelRequest;
import io.micronaut.core.io.ResourceResolver;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorization model this service was built for ({@code fga/model.fga}): parsed locally so
 * tuples are validated without asking OpenFGA, and written to a store whose latest model differs.
 * Apart from {@link FgaStore} because validation needs only the file, never a store.
 */
@Singleton
final class FgaModel {

    private static final Logger LOG = LoggerFactory.getLogger(FgaModel.class);

    private final ObjectMapper mapper;
    private final FgaProperties properties;
    private final ResourceResolver resources;
    private volatile AuthorizationModel local;

    FgaModel(ApiClient apiClient, FgaProperties properties, ResourceResolver resources) {
        this.mapper = apiClient.getObjectMapper();
        this.properties = properties;
        this.resources = resources;
    }

    /** The model this service was built for, parsed from the DSL file (used to validate tuples). */
    AuthorizationModel local() {
        AuthorizationModel model = local;
        if (model == null) {
            model = parse();
            local = model;
        }
        return model;
    }

    /** The id of the store's latest model, after writing the local one unless the latest equals it. */
    String ensure(OpenFgaApi api, String storeId) throws Exception {
        AuthorizationModel local = local();
        List<AuthorizationModel> latest = api.readAuthorizationModels(storeId, 1, null)
                .get(timeout(), TimeUnit.MILLISECONDS)
                .getData()
                .getAuthorizationModels();
        if (!latest.isEmpty() && same(latest.get(0), local)) {
            return latest.get(0).getId();
        }
        var request = new WriteAuthorizationModelRequest()
                .schemaVersion(local.getSchemaVersion())
                .typeDefinitions(local.getTypeDefinitions())
                .conditions(local.getConditions());
        String id = api.writeAuthorizationModel(storeId, request)
                .get(timeout(), TimeUnit.MILLISECONDS)
                .getData()
                .getAuthorizationModelId();
        LOG.info("Wrote authorization model {} from {}", id, properties.modelFile());
        return id;
    }

    /**
     * Equal up to how absent values are spelt: OpenFGA answers {@code ""} for an unset condition,
     * module or userset object where the parsed file has null. Compared as they were, the two never
     * matched and every start of every replica wrote one more, identical model.
     */
    boolean same(AuthorizationModel remote, AuthorizationModel local) {
        JsonNode a = normalized(mapper.valueToTree(remote.getTypeDefinitions()));
        JsonNode b = normalized(mapper.valueToTree(local.getTypeDefinitions()));
        return Objects.equals(remote.getSchemaVersion(), local.getSchemaVersion()) && a.equals(b);
    }

    /** The tree without null and empty-string fields, in arrays and objects at every depth. */
    static JsonNode normalized(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(field -> {
                JsonNode value = field.getValue();
                if (!value.isNull() && !(value.isTextual() && value.asText().isEmpty())) {
                    out.set(field.getKey(), normalized(value));
                }
            });
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> out.add(normalized(element)));
            return out;
        }
        return node;
    }

    private AuthorizationModel parse() {
        try (InputStream in = resources
                .getResourceAsStream(properties.modelFile())
                .orElseThrow(() -> new IllegalStateException("Model file not found: " + properties.modelFile()))) {
            String dsl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String json = new DslToJsonTransformer().transform(dsl);
            return mapper.readValue(json, AuthorizationModel.class);
        } catch (IOException e) {
            throw new IllegalStateException("Model file unreadable: " + properties.modelFile(), e);
        } catch (Exception e) {
            throw new IllegalStateException("Model file invalid: " + properties.modelFile() + ": " + e.getMessage(), e);
        }
    }

    private long timeout() {
        return properties.callTimeout().toMillis();
    }
}
