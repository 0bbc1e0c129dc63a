package dev.clearance;

import io.micronaut.runtime.Micronaut;

/** Entry point of the Clearance service. */
public final class Application {

    private Application() {}

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
