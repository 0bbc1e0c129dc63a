package dev.clearance.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private boolean same(AuthorizationModel remote, AuthorizationModel local) {
        JsonNode a = mapper.valueToTree(remote.getTypeDefinitions());
        JsonNode b = mapper.valueToTree(local.getTypeDefinitions());
        return Objects.equals(remote.getSchemaVersion(), local.getSchemaVersion()) && a.equals(b);
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
