package dev.clearance.access;

import dev.openfga.sdk.api.StreamedListObjectsApi;
import dev.openfga.sdk.api.client.ApiClient;
import dev.openfga.sdk.api.client.OpenFgaClient;
import dev.openfga.sdk.api.configuration.ClientConfiguration;
import dev.openfga.sdk.api.configuration.ClientCredentials;
import dev.openfga.sdk.api.configuration.Credentials;
import dev.openfga.sdk.errors.FgaInvalidParameterException;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** One OpenFGA client per process; it owns an HTTP client with its connection pool. */
@Factory
final class FgaClientFactory {

    @Singleton
    ApiClient fgaApiClient() {
        return new ApiClient();
    }

    @Singleton
    OpenFgaClient openFgaClient(ClientConfiguration configuration, ApiClient apiClient)
            throws FgaInvalidParameterException {
        return new OpenFgaClient(configuration, apiClient);
    }

    /** The streaming endpoint is not on the client; it shares the client's settings and HTTP client. */
    @Singleton
    StreamedListObjectsApi streamedListObjectsApi(ClientConfiguration configuration, ApiClient apiClient) {
        return new StreamedListObjectsApi(configuration, apiClient);
    }

    @Singleton
    ClientConfiguration fgaClientConfiguration(FgaProperties properties) {
        ClientConfiguration configuration = new ClientConfiguration()
                .apiUrl(properties.apiUrl())
                .connectTimeout(properties.requestTimeout())
                .readTimeout(properties.requestTimeout())
                .maxRetries(properties.maxRetries());
        if (properties.clientId() != null && !properties.clientId().isBlank()) {
            // Hosted OpenFGA (e.g. Auth0 FGA) authenticates API calls with OAuth client credentials.
            configuration.credentials(new Credentials(new ClientCredentials()
                    .clientId(properties.clientId())
                    .clientSecret(properties.clientSecret())
                    .apiTokenIssuer(properties.tokenIssuer())
                    .apiAudience(properties.apiAudience())));
        }
        return configuration;
    }
}
